package io.pgwarden.core.config;

import io.pgwarden.spi.PluginConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Maps the YAML tree onto the configuration records, checking every value on the way. Problems are
 * collected, never thrown one at a time; placeholders keep the walk going after a bad value and are
 * never returned, because {@link Problems#throwIfAny()} runs before the result leaves.
 */
final class ConfigBinder {

    static final String[] TOP_LEVEL_KEYS = {"listen", "backends", "auth", "plugins_dir", "plugins", "limits", "pool", "admin"};
    private static final Pattern BACKEND_NAME = Pattern.compile("[a-z0-9_-]+");
    private static final Duration SHORTEST_TIMEOUT = Duration.ofMillis(1);

    private final Path baseDirectory;
    private final SecretResolver secrets;
    private final Problems problems;

    ConfigBinder(Path baseDirectory, SecretResolver secrets, Problems problems) {
        this.baseDirectory = baseDirectory;
        this.secrets = secrets;
        this.problems = problems;
    }

    ProxyConfig bind(Node root) {
        if (root == null || YamlSection.isNull(root)) {
            problems.add(root, "(document)", "the configuration is empty; it needs at least backends and auth.rules");
            problems.throwIfAny();
        }
        if (!(root instanceof MappingNode)) {
            YamlSection.of(root, "", problems);
            problems.throwIfAny();
        }
        YamlSection top = YamlSection.of(root, "", problems);
        top.allowOnly(TOP_LEVEL_KEYS);
        ListenConfig listen = listen(top.section("listen"));
        Map<String, BackendConfig> backends = backends(top);
        AuthConfig auth = new AuthRulesBinder(secrets, problems).bind(top, backends);
        Path pluginsDirectory = pluginsDirectory(top);
        List<PluginEntry> plugins = plugins(top);
        LimitsConfig limits = limits(top.section("limits"));
        PoolConfig pool = new PoolConfigBinder(problems).bind(top.section("pool"));
        YamlSection admin = top.section("admin");
        AdminHttpConfig adminHttp = AdminConfigBinder.bind(admin);
        AdminConsoleConfig adminConsole = AdminConfigBinder.bindConsole(admin);
        problems.throwIfAny();
        return new ProxyConfig(listen, backends, auth, pluginsDirectory, plugins, limits, pool, baseDirectory, adminHttp, adminConsole);
    }

    private ListenConfig listen(YamlSection listen) {
        listen.allowOnly("host", "port", "tls");
        String host = listen.text("host", "127.0.0.1");
        if (host.isBlank()) {
            listen.problem("host", "must not be empty (an address to bind, e.g. 127.0.0.1 or 0.0.0.0)");
        }
        int port = listen.port("port", 6432, 0);
        return new ListenConfig(host.trim(), port, clientTls(listen.section("tls")));
    }

    private ClientTlsConfig clientTls(YamlSection tls) {
        tls.allowOnly("mode", "cert", "key", "client_ca");
        ClientTlsConfig.Mode mode = tls.choice("mode", ClientTlsConfig.Mode.DISABLE, ClientTlsConfig.Mode.class,
                m -> m.name().toLowerCase(Locale.ROOT));
        Path cert = tls.file("cert", baseDirectory, true);
        Path key = tls.file("key", baseDirectory, true);
        Path clientCa = tls.file("client_ca", baseDirectory, true);
        if (mode == ClientTlsConfig.Mode.DISABLE) {
            if (clientCa != null) {
                tls.problem("client_ca", "client certificates need TLS; set listen.tls.mode to allow or require");
            }
            return ClientTlsConfig.disabled();
        }
        String modeName = mode.name().toLowerCase(Locale.ROOT);
        if (!tls.has("cert")) {
            tls.problem("cert", "is required when listen.tls.mode is " + modeName + " (PEM certificate chain)");
        }
        if (!tls.has("key")) {
            tls.problem("key", "is required when listen.tls.mode is " + modeName + " (PEM private key)");
        }
        if (cert == null || key == null) {
            return ClientTlsConfig.disabled();
        }
        return new ClientTlsConfig(mode, cert, key, clientCa);
    }

    private Map<String, BackendConfig> backends(YamlSection top) {
        Map<String, BackendConfig> backends = new LinkedHashMap<>();
        if (!top.has("backends")) {
            problems.addMissing(top.node(), "backends", "is required: at least one PostgreSQL server, e.g. "
                    + "backends: { primary: { host: 127.0.0.1, port: 5432 } }");
            return backends;
        }
        YamlSection section = top.section("backends");
        if (section.isEmpty() && section.node() instanceof MappingNode) {
            problems.add(section.node(), "backends", "needs at least one backend");
        }
        for (String name : section.keys()) {
            if (!BACKEND_NAME.matcher(name).matches()) {
                section.problem(name, "backend names may use only a-z, 0-9, '_' and '-'");
            }
            backends.put(name, backend(name, section.section(name)));
        }
        return backends;
    }

    private BackendConfig backend(String name, YamlSection backend) {
        if (!(backend.node() instanceof MappingNode)) {
            if (backend.node() == null || YamlSection.isNull(backend.node())) {
                problems.add(backend.node(), backend.path(), "needs at least a host");
            }
            return placeholderBackend(name);
        }
        backend.allowOnly("host", "port", "connect_timeout", "tls");
        String host = backend.requiredText("host", "the server's host name or address");
        int port = backend.port("port", 5432, 1);
        Duration connectTimeout = backend.duration("connect_timeout", Duration.ofSeconds(10), SHORTEST_TIMEOUT);
        YamlSection tls = backend.section("tls");
        tls.allowOnly("mode", "ca");
        BackendTlsConfig.Mode mode = tls.choice("mode", BackendTlsConfig.Mode.PREFER, BackendTlsConfig.Mode.class,
                BackendTlsConfig.Mode::yamlName);
        Path ca = tls.file("ca", baseDirectory, true);
        boolean verifies = mode == BackendTlsConfig.Mode.VERIFY_CA || mode == BackendTlsConfig.Mode.VERIFY_FULL;
        if (verifies && !tls.has("ca")) {
            tls.problem("ca", "is required when the mode is " + mode.yamlName() + " (PEM CA bundle to verify the server)");
        }
        BackendTlsConfig tlsConfig = verifies && ca == null
                ? new BackendTlsConfig(BackendTlsConfig.Mode.PREFER, null)
                : new BackendTlsConfig(mode, ca);
        return new BackendConfig(name, host == null ? "" : host.trim(), port, tlsConfig, connectTimeout);
    }

    private static BackendConfig placeholderBackend(String name) {
        return new BackendConfig(name, "", 5432, new BackendTlsConfig(BackendTlsConfig.Mode.PREFER, null),
                Duration.ofSeconds(10));
    }

    private Path pluginsDirectory(YamlSection top) {
        String text = top.text("plugins_dir", null);
        if (text == null) {
            return baseDirectory.resolve("plugins").normalize();
        }
        Path directory = top.file("plugins_dir", baseDirectory, false);
        if (directory != null && !Files.isDirectory(directory)) {
            top.problem("plugins_dir", "directory " + directory + " does not exist");
        }
        return directory == null ? baseDirectory.resolve("plugins").normalize() : directory;
    }

    private List<PluginEntry> plugins(YamlSection top) {
        List<PluginEntry> plugins = new ArrayList<>();
        PluginValues values = new PluginValues(problems);
        List<Node> items = top.list("plugins", false);
        for (int i = 0; i < items.size(); i++) {
            String path = "plugins[" + i + "]";
            YamlSection entry = YamlSection.of(items.get(i), path, problems);
            if (!(items.get(i) instanceof MappingNode)) {
                if (YamlSection.isNull(items.get(i))) {
                    problems.add(items.get(i), path, "expected a map with at least a type, e.g. { type: protocol-log }");
                }
                continue;
            }
            String type = entry.requiredText("type", "the plugin type, e.g. protocol-log");
            Map<String, Object> settings = values.entries(entry, "type");
            if (type != null) {
                plugins.add(new PluginEntry(type.trim(), new PluginConfig(path, settings)));
            }
        }
        return plugins;
    }

    private LimitsConfig limits(YamlSection limits) {
        limits.allowOnly("max_message_size", "max_startup_packet_size", "max_client_connections",
                "auth_timeout", "shutdown_timeout");
        LimitsConfig defaults = LimitsConfig.DEFAULTS;
        return new LimitsConfig(
                limits.size("max_message_size", defaults.maxMessageSize(), 1L << 10, 1L << 30),
                limits.size("max_startup_packet_size", defaults.maxStartupPacketSize(), 1L << 10, 1L << 20),
                limits.integer("max_client_connections", defaults.maxClientConnections(), 1, 1_000_000,
                        "a number of connections 1-1000000"),
                limits.duration("auth_timeout", defaults.authTimeout(), SHORTEST_TIMEOUT),
                limits.duration("shutdown_timeout", defaults.shutdownTimeout(), Duration.ZERO));
    }
}
