package io.pgwarden.core.session;

import io.pgwarden.core.admin.ProxyMeters;
import io.pgwarden.core.auth.AuthRules;
import io.pgwarden.core.backend.BackendConnector;
import io.pgwarden.core.backend.CancelForwarder;
import io.pgwarden.core.config.ConfigReloader;
import io.pgwarden.core.config.ProxyConfig;
import io.pgwarden.core.plugin.InterceptorChain;
import io.pgwarden.core.pool.PoolRegistry;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * What every session of one running configuration shares. A reload builds a new one for the sessions
 * that start after it; a session keeps the one it started with.
 *
 * @param config the configuration
 * @param chain the compiled interceptor chain
 * @param rules the auth rules
 * @param connector opens server connections
 * @param cancels forwards cancel requests to servers
 * @param sessions the live sessions
 * @param pools the server connection pools
 * @param meters the core's metrics
 * @param reloader reloads the configuration (the admin console's {@code RELOAD})
 * @param shutdown stops the proxy as SIGTERM does, without blocking the caller (the admin console's {@code SHUTDOWN})
 * @param latest the runtime new connections get now, which a reload may have replaced since this one (the admin
 *               console's {@code SHOW CONFIG} and {@code SHOW PLUGINS} show it)
 */
public record ProxyRuntime(ProxyConfig config, InterceptorChain chain, AuthRules rules,
                           BackendConnector connector, CancelForwarder cancels, SessionRegistry sessions,
                           PoolRegistry pools, ProxyMeters meters, ConfigReloader reloader, Runnable shutdown,
                           Supplier<ProxyRuntime> latest) {

    /** Checks for null. */
    public ProxyRuntime {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(chain, "chain");
        Objects.requireNonNull(rules, "rules");
        Objects.requireNonNull(connector, "connector");
        Objects.requireNonNull(cancels, "cancels");
        Objects.requireNonNull(sessions, "sessions");
        Objects.requireNonNull(pools, "pools");
        Objects.requireNonNull(meters, "meters");
        Objects.requireNonNull(reloader, "reloader");
        Objects.requireNonNull(shutdown, "shutdown");
        Objects.requireNonNull(latest, "latest");
    }
}
