package io.pgwarden.it.poolfault;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgwarden.core.pool.PoolStats;
import io.pgwarden.testkit.BackendActivity;
import io.pgwarden.testkit.EmbeddedPostgres;
import io.pgwarden.testkit.ProxyFixture;
import io.pgwarden.testkit.RawSession;
import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

/**
 * The setup the pooling failure tests share: a PostgreSQL with the login role {@value #USER} (and {@value #USER_2}),
 * trusted over loopback, owning database {@value #DATABASE} (and {@value #DATABASE_2}); proxies whose rule is
 * {@code trust}, so the proxy logs in as the client's user without a password and its pools may open servers by
 * themselves; and pgjdbc and raw clients of such a proxy.
 */
final class PoolFixture {

    static final String USER = "app";
    static final String USER_2 = "app2";
    static final String DATABASE = "pooldb";
    static final String DATABASE_2 = "pooldb2";

    /** Bounds every wait for something that must happen soon; long enough never to flake, short of a hang. */
    static final Duration SOON = Duration.ofSeconds(10);

    private PoolFixture() {
    }

    /**
     * The server: roles and databases above. {@code client_connection_check_interval} makes a server process
     * notice within half a second that the proxy closed its socket even while it sleeps in {@code pg_sleep}, so a
     * test can see in pg_stat_activity that the proxy closed a busy server.
     */
    static EmbeddedPostgres.Builder server() {
        return EmbeddedPostgres.builder()
                .setting("client_connection_check_interval", "500ms")
                .role(USER)
                .role(USER_2)
                .database(DATABASE, USER)
                .database(DATABASE_2, USER);
    }

    /**
     * Starts a proxy in front of {@code host:port} with {@code pool: { <pool> }} and more top-level YAML.
     *
     * @param pool the pool section's entries as a flow mapping's content, e.g. {@code mode: transaction, size: 1}
     * @param rules the auth rules as YAML list items, each on its own line starting with {@code - }
     * @param extra more top-level YAML such as {@code limits: ...}, or an empty string
     * @param connectTimeout the backend's {@code connect_timeout}: how long opening a server may take
     */
    static ProxyFixture proxy(String host, int port, String pool, String rules, String extra, Duration connectTimeout) {
        return ProxyFixture.fromYaml("""
                listen: { host: 127.0.0.1, port: 0 }
                backends:
                  pg: { host: %s, port: %d, connect_timeout: %dms, tls: { mode: disable } }
                auth:
                  rules:
                %s
                pool: { %s }
                %s
                """.formatted(host, port, connectTimeout.toMillis(), rules.indent(4).stripTrailing(), pool, extra));
    }

    /**
     * A proxy in front of {@code host:port} with a backend {@code connect_timeout} of {@link #SOON}: long enough
     * that a loaded machine never fails a login that merely took its time.
     */
    static ProxyFixture proxy(String host, int port, String pool, String rules, String extra) {
        return proxy(host, port, pool, rules, extra, SOON);
    }

    /** A proxy in front of {@code postgres} where every client is trusted as itself. */
    static ProxyFixture proxy(EmbeddedPostgres postgres, String pool) {
        return proxy(postgres.host(), postgres.port(), pool, "- { method: trust }", "");
    }

    /** A proxy in front of {@code postgres} where every client is trusted as itself, with more top-level YAML. */
    static ProxyFixture proxy(EmbeddedPostgres postgres, String pool, String extra) {
        return proxy(postgres.host(), postgres.port(), pool, "- { method: trust }", extra);
    }

    /** A pgjdbc connection through the proxy as {@value #USER} to {@value #DATABASE}. */
    static Connection connect(ProxyFixture proxy) throws SQLException {
        return connect(proxy, DATABASE, USER);
    }

    /**
     * A pgjdbc connection through the proxy. The socket timeout is far above any wait these tests allow, so a
     * hang shows as a test's own bounded wait failing, not as a driver timeout mistaken for an error.
     */
    static Connection connect(ProxyFixture proxy, String database, String user) throws SQLException {
        return DriverManager.getConnection(proxy.jdbcUrl(database, user)
                + "&sslmode=disable&connectTimeout=20&socketTimeout=120");
    }

    /** A raw client logged in through the proxy as {@value #USER} to {@value #DATABASE}. */
    static RawSession raw(ProxyFixture proxy) throws IOException {
        return RawSession.login(proxy.host(), proxy.port(), DATABASE, USER, SOON);
    }

    /** The single value of a one-row, one-column query. */
    static String scalar(Connection connection, String sql) throws SQLException {
        try (Statement statement = connection.createStatement(); ResultSet rs = statement.executeQuery(sql)) {
            assertThat(rs.next()).as("a row from %s", sql).isTrue();
            String value = rs.getString(1);
            assertThat(rs.next()).as("one row from %s", sql).isFalse();
            return value;
        }
    }

    /** The process id of the server the connection's current statement runs on. */
    static int serverPid(Connection connection) throws SQLException {
        return Integer.parseInt(scalar(connection, "SELECT pg_backend_pid()"));
    }

    /**
     * The ErrorResponse that {@code pending} ended with within {@link #SOON}: fails when it succeeds, hangs, or fails
     * without an ErrorResponse from the other side (a driver-side I/O error is not a clean error).
     */
    static ServerErrorMessage errorOf(Future<?> pending) throws InterruptedException {
        Object result;
        try {
            result = pending.get(SOON.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            pending.cancel(true);
            throw new AssertionError("no answer within " + SOON + ": the client hangs", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof PSQLException psql && psql.getServerErrorMessage() != null) {
                return psql.getServerErrorMessage();
            }
            throw new AssertionError("the client failed without an ErrorResponse: " + cause, cause);
        }
        throw new AssertionError("expected an ErrorResponse, but the statement succeeded: " + result);
    }

    /**
     * Polls until the proxy's pools count exactly the servers PostgreSQL shows for the role (lent plus idle, none
     * being opened): a pool that still counts a dead server, or lost count of a live one, never gets there.
     */
    static List<PoolStats> awaitPoolsMatch(ProxyFixture proxy, BackendActivity activity) throws InterruptedException {
        long deadline = System.nanoTime() + SOON.toNanos();
        while (true) {
            List<PoolStats> pools = proxy.server().pools();
            int counted = pools.stream().mapToInt(pool -> pool.active() + pool.idle() + pool.opening()).sum();
            boolean opening = pools.stream().anyMatch(pool -> pool.opening() > 0);
            List<BackendActivity.Process> processes = activity.processes();
            if (!opening && counted == processes.size()) {
                return pools;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the pools never matched the backend within " + SOON + ": pools " + pools
                        + ", backend " + processes);
            }
            Thread.sleep(50);
        }
    }

    /** Polls until the proxy has exactly one pool and it satisfies {@code condition}; returns its stats. */
    static PoolStats awaitPool(ProxyFixture proxy, String what, Predicate<PoolStats> condition)
            throws InterruptedException {
        long deadline = System.nanoTime() + SOON.toNanos();
        while (true) {
            List<PoolStats> pools = proxy.server().pools();
            if (pools.size() == 1 && condition.test(pools.get(0))) {
                return pools.get(0);
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the pool never showed " + what + " within " + SOON + ": " + pools);
            }
            Thread.sleep(20);
        }
    }

    /** The value {@code pending} returns within {@link #SOON}; fails when it fails or hangs. */
    static <T> T valueOf(Future<T> pending) throws InterruptedException, ExecutionException {
        try {
            return pending.get(SOON.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            pending.cancel(true);
            throw new AssertionError("no answer within " + SOON + ": the client hangs", e);
        }
    }
}
