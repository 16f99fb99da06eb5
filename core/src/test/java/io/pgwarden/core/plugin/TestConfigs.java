package io.pgwarden.core.plugin;

import io.pgwarden.core.config.AuthConfig;
import io.pgwarden.core.config.BackendConfig;
import io.pgwarden.core.config.BackendTlsConfig;
import io.pgwarden.core.config.ClientTlsConfig;
import io.pgwarden.core.config.LimitsConfig;
import io.pgwarden.core.config.PoolConfig;
import io.pgwarden.core.config.ListenConfig;
import io.pgwarden.core.config.PluginEntry;
import io.pgwarden.core.config.ProxyConfig;
import io.pgwarden.spi.PluginConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Configurations for unit tests. */
final class TestConfigs {

    private TestConfigs() {
    }

    static BackendConfig backend(String name, int port, BackendTlsConfig.Mode mode) {
        return new BackendConfig(name, "127.0.0.1", port, new BackendTlsConfig(mode, null), Duration.ofSeconds(3));
    }

    static ProxyConfig proxy(Path pluginsDirectory, List<PluginEntry> plugins, BackendConfig... backends) {
        Map<String, BackendConfig> byName = new LinkedHashMap<>();
        for (BackendConfig backend : backends) {
            byName.put(backend.name(), backend);
        }
        return new ProxyConfig(new ListenConfig("127.0.0.1", 0, new ClientTlsConfig(ClientTlsConfig.Mode.DISABLE, null, null, null)),
                byName, new AuthConfig(List.of()), pluginsDirectory, plugins, LimitsConfig.DEFAULTS, PoolConfig.DEFAULTS);
    }

    /** The chain entry {@code plugins[index]} of a type with the given settings (key, value, key, value...). */
    static PluginEntry entry(int index, String type, Object... settings) {
        Map<String, Object> values = new LinkedHashMap<>();
        for (int i = 0; i < settings.length; i += 2) {
            values.put((String) settings[i], settings[i + 1]);
        }
        return new PluginEntry(type, new PluginConfig("plugins[" + index + "]", values));
    }
}
