package io.pgwarden.core.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What a reload would change: the settings that differ between the running configuration and the
 * file just loaded, split into those a running proxy takes over and those that need a restart, and
 * the configuration to apply (the file's values, with the restart-only ones kept as they run).
 *
 * <p>Only names of settings appear here, never values: they go to the log and to the console.
 *
 * @param changed the reloadable settings that differ, by YAML path, in file order
 * @param needsRestart the settings that differ but keep their running value until a restart, by YAML path
 * @param applicable the configuration to run after the reload
 */
public record ConfigChanges(List<String> changed, List<String> needsRestart, ProxyConfig applicable) {

    /** Copies the lists and checks for null. */
    public ConfigChanges {
        changed = List.copyOf(changed);
        needsRestart = List.copyOf(needsRestart);
        Objects.requireNonNull(applicable, "applicable");
    }

    /**
     * Compares a running configuration with a newly loaded one.
     *
     * @param running the configuration in force
     * @param loaded the configuration read from the file again
     * @return the differences and the configuration to apply
     */
    public static ConfigChanges between(ProxyConfig running, ProxyConfig loaded) {
        Objects.requireNonNull(running, "running");
        Objects.requireNonNull(loaded, "loaded");
        List<String> changed = new ArrayList<>();
        List<String> restart = new ArrayList<>();
        ListenConfig listen = running.listen();
        ListenConfig newListen = loaded.listen();
        compare(restart, "listen.host", listen.host(), newListen.host());
        compare(restart, "listen.port", listen.port(), newListen.port());
        compare(changed, "listen.tls", listen.tls(), newListen.tls());
        compare(changed, "backends", running.backends(), loaded.backends());
        compare(changed, "auth.rules", running.auth(), loaded.auth());
        compare(restart, "plugins_dir", running.pluginsDirectory(), loaded.pluginsDirectory());
        if (!samePlugins(running.plugins(), loaded.plugins())) {
            changed.add("plugins");
        }
        LimitsConfig limits = running.limits();
        LimitsConfig newLimits = loaded.limits();
        compare(restart, "limits.max_message_size", limits.maxMessageSize(), newLimits.maxMessageSize());
        compare(changed, "limits.max_startup_packet_size", limits.maxStartupPacketSize(), newLimits.maxStartupPacketSize());
        compare(restart, "limits.max_client_connections", limits.maxClientConnections(), newLimits.maxClientConnections());
        compare(changed, "limits.auth_timeout", limits.authTimeout(), newLimits.authTimeout());
        compare(changed, "limits.shutdown_timeout", limits.shutdownTimeout(), newLimits.shutdownTimeout());
        compare(changed, "pool", running.pool(), loaded.pool());
        compare(restart, "admin.http", running.adminHttp(), loaded.adminHttp());
        compare(changed, "admin.console", running.adminConsole(), loaded.adminConsole());
        return new ConfigChanges(changed, restart, applicable(running, loaded));
    }

    /**
     * Whether the interceptor chain must be built again: its entries or the backends its services
     * and the built-in {@code passthrough} method connect to changed.
     *
     * @return true when a new chain is needed
     */
    public boolean chainChanged() {
        return changed.contains("plugins") || changed.contains("backends");
    }

    /**
     * Whether a setting changed and is taken over.
     *
     * @param path the YAML path as listed in {@link #changed}
     * @return true when it changed
     */
    public boolean changed(String path) {
        return changed.contains(path);
    }

    private static ProxyConfig applicable(ProxyConfig running, ProxyConfig loaded) {
        ListenConfig listen = new ListenConfig(running.listen().host(), running.listen().port(), loaded.listen().tls());
        LimitsConfig limits = new LimitsConfig(running.limits().maxMessageSize(), loaded.limits().maxStartupPacketSize(),
                running.limits().maxClientConnections(), loaded.limits().authTimeout(), loaded.limits().shutdownTimeout());
        return new ProxyConfig(listen, loaded.backends(), loaded.auth(), running.pluginsDirectory(), loaded.plugins(), limits,
                loaded.pool(), loaded.baseDirectory(), running.adminHttp(), loaded.adminConsole());
    }

    private static void compare(List<String> into, String path, Object running, Object loaded) {
        if (!Objects.equals(running, loaded)) {
            into.add(path);
        }
    }

    /** Plugin settings hold no equality of their own: the type, the path and the value tree decide. */
    private static boolean samePlugins(List<PluginEntry> running, List<PluginEntry> loaded) {
        if (running.size() != loaded.size()) {
            return false;
        }
        for (int i = 0; i < running.size(); i++) {
            PluginEntry a = running.get(i);
            PluginEntry b = loaded.get(i);
            if (!a.type().equals(b.type()) || !a.config().path().equals(b.config().path())
                    || !a.config().values().equals(b.config().values())) {
                return false;
            }
        }
        return true;
    }
}
