package io.pgwarden.core.config;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * Server connection pooling ({@code pool:}); names and meanings follow PgBouncer's where it has one.
 * A duration of zero turns the timeout off.
 *
 * @param mode session or transaction; default session
 * @param size server connections per (backend, database, login); default 20 ({@code default_pool_size})
 * @param minSize connections kept open per pool even when idle; default 0 ({@code min_pool_size})
 * @param reserveSize extra connections for clients that waited {@code reserveTimeout}; default 0
 * @param reserveTimeout how long a client waits before the reserve may be used; default 5s
 * @param maxDatabaseConnections cap per (backend, database) over all logins; default 0 = none
 * @param maxUserConnections cap per (backend, user) over all databases; default 0 = none
 * @param maxPreparedStatements named prepared statements kept per server connection in transaction mode
 *                              (LRU); default 200; 0 turns the mapping off, and a named Parse then pins
 * @param queryWaitTimeout how long a client waits for a server before it gets an error; default 120s
 * @param idleTransactionTimeout how long a client may sit idle inside a transaction; default 0 = off
 * @param clientIdleTimeout how long a client may sit idle outside a transaction; default 0 = off
 * @param serverIdleTimeout idle server connections above {@code minSize} close after this; default 600s
 * @param serverLifetime server connections close when released after this age; default 3600s
 * @param serverCheckDelay a server idle longer than this runs {@code serverCheckQuery} before reuse; default 30s
 * @param serverCheckQuery the health check; default {@code SELECT 1}; empty = no check
 * @param serverResetQuery run when a session-mode client leaves; default {@code DISCARD ALL}
 * @param databases per-database overrides, by database name
 * @param users per-user overrides, by database user name
 */
public record PoolConfig(PoolMode mode, int size, int minSize, int reserveSize, Duration reserveTimeout,
                         int maxDatabaseConnections, int maxUserConnections, int maxPreparedStatements,
                         Duration queryWaitTimeout, Duration idleTransactionTimeout, Duration clientIdleTimeout,
                         Duration serverIdleTimeout, Duration serverLifetime, Duration serverCheckDelay,
                         String serverCheckQuery, String serverResetQuery,
                         Map<String, DatabasePoolConfig> databases, Map<String, UserPoolConfig> users) {

    /** The defaults. */
    public static final PoolConfig DEFAULTS = new PoolConfig(PoolMode.SESSION, 20, 0, 0, Duration.ofSeconds(5), 0, 0, 200,
            Duration.ofSeconds(120), Duration.ZERO, Duration.ZERO, Duration.ofSeconds(600), Duration.ofSeconds(3600),
            Duration.ofSeconds(30), "SELECT 1", "DISCARD ALL", Map.of(), Map.of());

    /** Checks for null and copies the maps. */
    public PoolConfig {
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(reserveTimeout, "reserveTimeout");
        Objects.requireNonNull(queryWaitTimeout, "queryWaitTimeout");
        Objects.requireNonNull(idleTransactionTimeout, "idleTransactionTimeout");
        Objects.requireNonNull(clientIdleTimeout, "clientIdleTimeout");
        Objects.requireNonNull(serverIdleTimeout, "serverIdleTimeout");
        Objects.requireNonNull(serverLifetime, "serverLifetime");
        Objects.requireNonNull(serverCheckDelay, "serverCheckDelay");
        Objects.requireNonNull(serverCheckQuery, "serverCheckQuery");
        Objects.requireNonNull(serverResetQuery, "serverResetQuery");
        databases = Map.copyOf(databases);
        users = Map.copyOf(users);
    }

    /**
     * The settings of the pool for a database and user: the user's mode wins over the database's, which
     * wins over the global one; sizes come from the database, caps from the database and the user.
     *
     * @param database the backend database
     * @param user the backend user
     * @return the effective settings
     */
    public PoolSettings settings(String database, String user) {
        DatabasePoolConfig db = databases.getOrDefault(database, DatabasePoolConfig.NONE);
        UserPoolConfig u = users.getOrDefault(user, UserPoolConfig.NONE);
        PoolMode effectiveMode = u.mode() != null ? u.mode() : db.mode() != null ? db.mode() : mode;
        return new PoolSettings(effectiveMode,
                db.size() != null ? db.size() : size,
                db.minSize() != null ? db.minSize() : minSize,
                db.reserveSize() != null ? db.reserveSize() : reserveSize,
                db.maxConnections() != null ? db.maxConnections() : maxDatabaseConnections,
                u.maxConnections() != null ? u.maxConnections() : maxUserConnections);
    }
}
