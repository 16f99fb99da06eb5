package io.pgwarden.core.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The whole validated configuration (conf/pgwarden.yaml). Built only by {@link ConfigLoader}, so
 * every instance has passed validation and has its secret references resolved.
 *
 * @param listen the client-facing listener
 * @param backends the PostgreSQL servers by name, in file order
 * @param auth the ordered auth rules
 * @param pluginsDirectory where plugin jars and zips are loaded from
 * @param plugins the interceptor chain, in order
 * @param limits protocol and connection limits
 * @param pool server connection pooling
 * @param baseDirectory the configuration file's directory: relative paths, including those in plugin
 *                      settings and {@code ${file:}} references, resolve against it
 * @param adminHttp the admin HTTP endpoint ({@code admin.http}), {@link AdminHttpConfig#DISABLED} by default
 * @param adminConsole the admin console ({@code admin.console}), {@link AdminConsoleConfig#DISABLED} by default
 */
public record ProxyConfig(ListenConfig listen, Map<String, BackendConfig> backends, AuthConfig auth,
                          Path pluginsDirectory, List<PluginEntry> plugins, LimitsConfig limits, PoolConfig pool,
                          Path baseDirectory, AdminHttpConfig adminHttp, AdminConsoleConfig adminConsole) {

    /** Checks for null and copies the collections. */
    public ProxyConfig {
        Objects.requireNonNull(listen, "listen");
        Objects.requireNonNull(auth, "auth");
        Objects.requireNonNull(pluginsDirectory, "pluginsDirectory");
        Objects.requireNonNull(limits, "limits");
        Objects.requireNonNull(pool, "pool");
        Objects.requireNonNull(baseDirectory, "baseDirectory");
        Objects.requireNonNull(adminHttp, "adminHttp");
        Objects.requireNonNull(adminConsole, "adminConsole");
        backends = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(backends));
        plugins = List.copyOf(plugins);
    }

    /**
     * A configuration whose relative paths resolve against the working directory, for tests that build
     * one by hand.
     *
     * @param listen the client-facing listener
     * @param backends the PostgreSQL servers by name, in file order
     * @param auth the ordered auth rules
     * @param pluginsDirectory where plugin jars and zips are loaded from
     * @param plugins the interceptor chain, in order
     * @param limits protocol and connection limits
     * @param pool server connection pooling
     */
    public ProxyConfig(ListenConfig listen, Map<String, BackendConfig> backends, AuthConfig auth,
                       Path pluginsDirectory, List<PluginEntry> plugins, LimitsConfig limits, PoolConfig pool) {
        this(listen, backends, auth, pluginsDirectory, plugins, limits, pool, Path.of("").toAbsolutePath(),
                AdminHttpConfig.DISABLED, AdminConsoleConfig.DISABLED);
    }

    /**
     * The backend with this name.
     *
     * @param name the name
     * @return the backend
     * @throws IllegalArgumentException when there is none (validation prevents it for names in the file)
     */
    public BackendConfig backend(String name) {
        BackendConfig backend = backends.get(name);
        if (backend == null) {
            throw new IllegalArgumentException("no backend named '" + name + "'");
        }
        return backend;
    }

    /**
     * The first backend in the file, used where a rule names none.
     *
     * @return the default backend
     */
    public BackendConfig defaultBackend() {
        return backends.values().iterator().next();
    }
}
