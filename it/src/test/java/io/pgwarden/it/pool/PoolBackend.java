package io.pgwarden.it.pool;

import io.pgwarden.core.pool.PoolStats;
import io.pgwarden.testkit.EmbeddedPostgres;
import io.pgwarden.testkit.ProxyFixture;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A real PostgreSQL for the pooling tests, and the pooling proxies in front of it.
 *
 * <p>Pooled clients log in as {@value #USER} to database {@value #DATABASE} through the proxy's {@code trust}
 * method, so the pool opens its server connections itself (a {@code passthrough} login would open one per client
 * login). Only the proxy connects as {@value #USER}; the tests' own direct connections are the superuser's, to
 * database {@code postgres}, so {@link #serverConnections()} counts exactly the proxy's server connections.
 * {@value #USER} is a superuser so that {@code LOAD} and {@code SET ROLE} to any role work.
 */
final class PoolBackend implements AutoCloseable {

    /** The database user every pooled client logs in as. */
    static final String USER = "app";
    /** The database every pooled client uses. */
    static final String DATABASE = "app";

    private final EmbeddedPostgres postgres;
    private final List<ProxyFixture> proxies = new ArrayList<>();

    private PoolBackend(EmbeddedPostgres postgres) {
        this.postgres = postgres;
    }

    /** Starts a server with the pooled role and database, plus whatever {@code server} adds. */
    static PoolBackend start(EmbeddedPostgres.Builder server) {
        EmbeddedPostgres postgres = server.role(USER).database(DATABASE, USER).start();
        try {
            postgres.execute("postgres", "ALTER ROLE " + USER + " SUPERUSER");
            return new PoolBackend(postgres);
        } catch (RuntimeException e) {
            postgres.close();
            throw e;
        }
    }

    /** Starts a trust-all server with the pooled role and database. */
    static PoolBackend start() {
        return start(EmbeddedPostgres.builder());
    }

    EmbeddedPostgres postgres() {
        return postgres;
    }

    /**
     * Starts a proxy in front of this server, closed with it.
     *
     * @param pool the flow mapping of the {@code pool:} section, e.g. {@code { mode: transaction, size: 5 }}
     * @param extra more top-level YAML (plugins), or an empty string
     */
    ProxyFixture startProxy(String pool, String extra) {
        ProxyFixture proxy = startOwnProxy(pool, extra);
        proxies.add(proxy);
        return proxy;
    }

    /** Like {@link #startProxy} for a proxy the caller closes, e.g. to see its server connections end. */
    ProxyFixture startOwnProxy(String pool, String extra) {
        return ProxyFixture.fromYaml("""
                listen: { host: 127.0.0.1, port: 0 }
                backends:
                  pg: { host: 127.0.0.1, port: %d, tls: { mode: disable } }
                auth:
                  rules:
                    - { method: trust }
                pool: %s
                %s
                """.formatted(postgres.port(), Objects.requireNonNull(pool, "pool"), extra));
    }

    /** A pgjdbc URL to {@code proxy} as {@value #USER}; {@code options} (may be empty) are appended after {@code &}. */
    static String url(ProxyFixture proxy, String options) {
        return url(proxy, DATABASE, options);
    }

    /**
     * Like {@link #url(ProxyFixture, String)} to another database, which makes another pool; its connections are
     * not counted by {@link #serverConnections()}.
     */
    static String url(ProxyFixture proxy, String database, String options) {
        String url = "jdbc:postgresql://127.0.0.1:" + proxy.port() + "/" + encode(database) + "?user=" + USER
                + "&sslmode=disable&connectTimeout=20&socketTimeout=120";
        return options.isEmpty() ? url : url + "&" + options;
    }

    /** A pgjdbc connection through {@code proxy}; {@code options} as for {@link #url}. */
    static Connection connect(ProxyFixture proxy, String options) throws SQLException {
        return DriverManager.getConnection(url(proxy, options));
    }

    /** A pgjdbc connection straight to the server as {@value #USER}, what a client would see without the proxy. */
    Connection directAsPooledUser(String options) throws SQLException {
        String url = postgres.jdbcUrl(DATABASE, USER) + "&sslmode=disable";
        return DriverManager.getConnection(options.isEmpty() ? url : url + "&" + options);
    }

    /** {@code text} encoded for a pgjdbc URL parameter value, e.g. {@code options=...}. */
    static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }

    /** How many server connections to {@value #DATABASE} the proxies hold right now, as PostgreSQL counts them. */
    int serverConnections() throws SQLException {
        try (Connection monitor = postgres.superuserConnection()) {
            return serverConnections(monitor);
        }
    }

    /** {@link #serverConnections()} through an open superuser connection, for sampling in a loop. */
    static int serverConnections(Connection monitor) throws SQLException {
        return Integer.parseInt(scalar(monitor, "SELECT count(*) FROM pg_stat_activity WHERE usename = '" + USER
                + "' AND datname = '" + DATABASE + "' AND backend_type = 'client backend'"));
    }

    /** The server connections {@code proxy}'s pools for {@value #DATABASE} hold or are opening, as the proxy counts them. */
    static int proxyServerConnections(ProxyFixture proxy) {
        return proxy.server().pools().stream().filter(pool -> pool.database().equals(DATABASE))
                .mapToInt(pool -> pool.active() + pool.idle() + pool.opening()).sum();
    }

    /** The sessions {@code proxy} has pinned to their server since it started. */
    static long pinnedSessions(ProxyFixture proxy) {
        return proxy.server().pools().stream().mapToLong(PoolStats::pinned).sum();
    }

    /**
     * How many logins as {@value #USER} to {@value #DATABASE} PostgreSQL has accepted; needs the server setting
     * {@code log_connections = on}.
     */
    long serverLogins() {
        String marker = "connection authorized: user=" + USER + " database=" + DATABASE;
        return postgres.serverLog().lines().filter(line -> line.contains(marker)).count();
    }

    /** Whether a backend with this pid still runs. */
    boolean backendAlive(int pid) throws SQLException {
        try (Connection monitor = postgres.superuserConnection()) {
            return "1".equals(scalar(monitor, "SELECT count(*) FROM pg_stat_activity WHERE pid = " + pid));
        }
    }

    /** The first column of the first row of {@code sql} as text, or null for SQL NULL; the query must return a row. */
    static String scalar(Connection connection, String sql) throws SQLException {
        try (Statement statement = connection.createStatement(); ResultSet rs = statement.executeQuery(sql)) {
            if (!rs.next()) {
                throw new SQLException("no row from: " + sql);
            }
            return rs.getString(1);
        }
    }

    /** {@code pg_backend_pid()} of the server the connection runs its next statement on. */
    static int backendPid(Connection connection) throws SQLException {
        return Integer.parseInt(scalar(connection, "SELECT pg_backend_pid()"));
    }

    /** Closes the proxies, then the server, even when one fails. */
    @Override
    public void close() {
        RuntimeException failure = null;
        for (ProxyFixture proxy : proxies) {
            try {
                proxy.close();
            } catch (RuntimeException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        try {
            postgres.close();
        } catch (RuntimeException e) {
            if (failure == null) {
                failure = e;
            } else {
                failure.addSuppressed(e);
            }
        }
        if (failure != null) {
            throw failure;
        }
    }
}
