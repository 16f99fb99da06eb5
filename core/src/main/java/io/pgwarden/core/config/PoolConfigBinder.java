package io.pgwarden.core.config;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.ScalarNode;

/**
 * Maps {@code pool:} onto {@link PoolConfig}. Keys, defaults and ranges follow PgBouncer's settings of the
 * same meaning; a per-database or per-user key that is absent stays null so that it takes the global value.
 */
final class PoolConfigBinder {

    private static final String[] KEYS = {"mode", "size", "min_size", "reserve_size", "reserve_timeout",
        "max_db_connections", "max_user_connections", "max_prepared_statements", "query_wait_timeout",
        "idle_transaction_timeout", "client_idle_timeout", "server_idle_timeout", "server_lifetime",
        "server_check_delay", "server_check_query", "server_reset_query", "databases", "users"};
    private static final String[] DATABASE_KEYS = {"mode", "size", "min_size", "reserve_size", "max_connections"};
    private static final String[] USER_KEYS = {"mode", "max_connections"};

    private static final int MAX_SIZE = 10_000;
    private static final int MAX_CONNECTIONS = 1_000_000;
    private static final int MAX_PREPARED_STATEMENTS = 100_000;
    private static final String SIZE = "a pool size 1-" + MAX_SIZE;
    private static final String MIN_SIZE = "a number of connections 0-" + MAX_SIZE;
    private static final String RESERVE = "a number of connections 0-" + MAX_SIZE;
    private static final String CAP = "a number of connections 0-" + MAX_CONNECTIONS + " (0 = no cap)";

    private final Problems problems;

    PoolConfigBinder(Problems problems) {
        this.problems = problems;
    }

    PoolConfig bind(YamlSection pool) {
        pool.allowOnly(KEYS);
        PoolConfig defaults = PoolConfig.DEFAULTS;
        PoolMode mode = mode(pool, defaults.mode());
        int before = problems.size();
        int size = pool.integer("size", defaults.size(), 1, MAX_SIZE, SIZE);
        int minSize = pool.integer("min_size", defaults.minSize(), 0, MAX_SIZE, MIN_SIZE);
        boolean sizesValid = problems.size() == before;
        if (sizesValid && minSize > size) {
            pool.problem("min_size", "must not be more than pool.size (" + size + "), found '" + minSize + "'");
        }
        int reserveSize = pool.integer("reserve_size", defaults.reserveSize(), 0, MAX_SIZE, RESERVE);
        Duration reserveTimeout = pool.duration("reserve_timeout", defaults.reserveTimeout(), Duration.ZERO);
        int maxDatabaseConnections = pool.integer("max_db_connections", defaults.maxDatabaseConnections(), 0,
                MAX_CONNECTIONS, CAP);
        int maxUserConnections = pool.integer("max_user_connections", defaults.maxUserConnections(), 0,
                MAX_CONNECTIONS, CAP);
        int maxPreparedStatements = pool.integer("max_prepared_statements", defaults.maxPreparedStatements(), 0,
                MAX_PREPARED_STATEMENTS, "a number of statements 0-" + MAX_PREPARED_STATEMENTS + " (0 = off)");
        Duration queryWaitTimeout = pool.duration("query_wait_timeout", defaults.queryWaitTimeout(), Duration.ZERO);
        Duration idleTransactionTimeout = pool.duration("idle_transaction_timeout", defaults.idleTransactionTimeout(),
                Duration.ZERO);
        Duration clientIdleTimeout = pool.duration("client_idle_timeout", defaults.clientIdleTimeout(), Duration.ZERO);
        Duration serverIdleTimeout = pool.duration("server_idle_timeout", defaults.serverIdleTimeout(), Duration.ZERO);
        Duration serverLifetime = pool.duration("server_lifetime", defaults.serverLifetime(), Duration.ZERO);
        Duration serverCheckDelay = pool.duration("server_check_delay", defaults.serverCheckDelay(), Duration.ZERO);
        String serverCheckQuery = query(pool, "server_check_query", defaults.serverCheckQuery());
        String serverResetQuery = query(pool, "server_reset_query", defaults.serverResetQuery());
        Map<String, DatabasePoolConfig> databases = databases(pool.section("databases"), size, minSize, sizesValid);
        Map<String, UserPoolConfig> users = users(pool.section("users"));
        return new PoolConfig(mode, size, minSize, reserveSize, reserveTimeout, maxDatabaseConnections,
                maxUserConnections, maxPreparedStatements, queryWaitTimeout, idleTransactionTimeout, clientIdleTimeout,
                serverIdleTimeout, serverLifetime, serverCheckDelay, serverCheckQuery, serverResetQuery, databases, users);
    }

    private static PoolMode mode(YamlSection section, PoolMode defaultValue) {
        if (!(section.value("mode") instanceof ScalarNode mode) || YamlSection.isNull(mode)) {
            // absent, null, or a list or map, which choice reports
            return section.choice("mode", defaultValue, PoolMode.class, PoolMode::yamlName);
        }
        if (mode.getValue().trim().equals("statement")) {
            // PgBouncer's statement mode forbids multi-statement transactions, which breaks most drivers
            section.problem("mode", "statement mode is not supported; use transaction");
            return defaultValue;
        }
        return section.choice("mode", defaultValue, PoolMode.class, PoolMode::yamlName);
    }

    /** A query sent to the server as written; empty turns it off. A NUL cannot travel in a Query message. */
    private static String query(YamlSection pool, String key, String defaultValue) {
        String text = pool.text(key, defaultValue);
        if (text.indexOf('\0') >= 0) {
            pool.problem(key, "must not contain a NUL character");
            return defaultValue;
        }
        return text.trim();
    }

    private Map<String, DatabasePoolConfig> databases(YamlSection databases, int globalSize, int globalMinSize,
                                                      boolean globalSizesValid) {
        Map<String, DatabasePoolConfig> result = new LinkedHashMap<>();
        for (String name : databases.keys()) {
            YamlSection database = entry(databases, name, "{ mode: session, size: 5 }");
            if (database == null) {
                continue;
            }
            database.allowOnly(DATABASE_KEYS);
            PoolMode mode = mode(database, null);
            int before = problems.size();
            Integer size = optional(database, "size", 1, MAX_SIZE, SIZE);
            Integer minSize = optional(database, "min_size", 0, MAX_SIZE, MIN_SIZE);
            Integer reserveSize = optional(database, "reserve_size", 0, MAX_SIZE, RESERVE);
            Integer maxConnections = optional(database, "max_connections", 0, MAX_CONNECTIONS, CAP);
            int effectiveSize = size != null ? size : globalSize;
            int effectiveMinSize = minSize != null ? minSize : globalMinSize;
            // only sizes that were all read correctly are compared, so a bad value is not reported twice
            if (globalSizesValid && problems.size() == before && effectiveMinSize > effectiveSize) {
                if (minSize != null) {
                    database.problem("min_size", "must not be more than the pool size (" + effectiveSize + "), found '"
                            + minSize + "'");
                } else {
                    database.problem("size", "must not be less than pool.min_size (" + globalMinSize + "), found '"
                            + size + "'");
                }
            }
            result.put(name, new DatabasePoolConfig(mode, size, minSize, reserveSize, maxConnections));
        }
        return result;
    }

    private Map<String, UserPoolConfig> users(YamlSection users) {
        Map<String, UserPoolConfig> result = new LinkedHashMap<>();
        for (String name : users.keys()) {
            YamlSection user = entry(users, name, "{ mode: session, max_connections: 3 }");
            if (user == null) {
                continue;
            }
            user.allowOnly(USER_KEYS);
            PoolMode mode = mode(user, null);
            Integer maxConnections = optional(user, "max_connections", 0, MAX_CONNECTIONS, CAP);
            result.put(name, new UserPoolConfig(mode, maxConnections));
        }
        return result;
    }

    /** The settings of one database or user, or null (and a problem) when they are not a map. */
    private YamlSection entry(YamlSection parent, String name, String example) {
        if (name.isBlank()) {
            problems.add(parent.value(name), parent.path(), "a name must not be empty");
            return null;
        }
        YamlSection entry = parent.section(name);
        if (!(entry.node() instanceof MappingNode)) {
            if (entry.node() == null || YamlSection.isNull(entry.node())) {
                problems.add(parent.value(name), entry.path(), "expected a map of settings, e.g. " + example);
            }
            return null;
        }
        return entry;
    }

    /** The value, or null when it is absent or bad (then a problem is recorded). */
    private static Integer optional(YamlSection section, String key, int lowest, int highest, String what) {
        int value = section.integer(key, Integer.MIN_VALUE, lowest, highest, what);
        return value == Integer.MIN_VALUE ? null : value;
    }
}
