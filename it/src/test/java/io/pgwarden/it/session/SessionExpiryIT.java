package io.pgwarden.it.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.pgwarden.core.pool.PoolStats;
import io.pgwarden.testkit.EmbeddedPostgres;
import io.pgwarden.testkit.LeakCheckExtension;
import io.pgwarden.testkit.ProxyFixture;
import io.pgwarden.testkit.RawMessage;
import io.pgwarden.testkit.RawPgClient;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code AuthContext.expireAt} (SPI 1.2) through the test plugin {@code test-session-expiry}: at the deadline an idle
 * session ends at once with FATAL 28000 and the plugin's message, a session inside a transaction ends right after the
 * ReadyForQuery of its COMMIT, a deadline that has passed refuses the login, the earliest deadline wins, and a session
 * that ends first leaves nothing behind. Session and transaction pool modes.
 */
@ExtendWith(LeakCheckExtension.class)
class SessionExpiryIT {

    private static final String USER = EmbeddedPostgres.SUPERUSER;
    private static final Duration AWAIT = Duration.ofSeconds(10);

    private static EmbeddedPostgres postgres;
    private static final List<ProxyFixture> proxies = new ArrayList<>();
    private static ProxyFixture session;
    private static ProxyFixture transaction;

    @BeforeAll
    static void start() {
        postgres = EmbeddedPostgres.start();
        postgres.execute("postgres", "CREATE TABLE expiry_items (who text)");
        session = startProxy("session");
        transaction = startProxy("transaction");
    }

    private static ProxyFixture startProxy(String mode) {
        ProxyFixture proxy = ProxyFixture.fromYaml("""
                listen: { host: 127.0.0.1, port: 0 }
                backends:
                  pg: { host: 127.0.0.1, port: %d, tls: { mode: disable } }
                auth:
                  rules:
                    - { method: trust }
                pool: { mode: %s, size: 4 }
                plugins:
                  - { type: test-session-expiry }
                """.formatted(postgres.port(), mode));
        proxies.add(proxy);
        return proxy;
    }

    @AfterAll
    static void stop() {
        proxies.forEach(ProxyFixture::close);
        if (postgres != null) {
            postgres.close();
        }
    }

    @BeforeEach
    void previousSessionsAreGone() throws InterruptedException {
        awaitNoSessions(session);
        awaitNoSessions(transaction);
    }

    private static ProxyFixture proxy(String mode) {
        return mode.equals("session") ? session : transaction;
    }

    private static Connection connect(ProxyFixture proxy, String applicationName) throws SQLException {
        // assumeMinServerVersion puts application_name into the startup packet, where onAuth sees it.
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + proxy.port() + "/postgres?user=" + USER
                + "&sslmode=disable&connectTimeout=20&socketTimeout=30&assumeMinServerVersion=9.0&ApplicationName="
                + URLEncoder.encode(applicationName, StandardCharsets.UTF_8));
    }

    private static RawPgClient rawLogin(ProxyFixture proxy, String applicationName) throws Exception {
        RawPgClient client = RawPgClient.connect("127.0.0.1", proxy.port());
        client.sendStartup(Map.of("user", USER, "database", "postgres", "application_name", applicationName));
        assertThat(client.readUntilReadyForQuery()).noneMatch(message -> message.type() == 'E');
        return client;
    }

    private static String scalar(Connection connection, String sql) throws SQLException {
        try (Statement statement = connection.createStatement(); ResultSet rs = statement.executeQuery(sql)) {
            assertThat(rs.next()).isTrue();
            return rs.getString(1);
        }
    }

    /** Waits until the proxy has no session left; true when it got there in time. */
    private static boolean awaitNoSessions(ProxyFixture proxy) throws InterruptedException {
        long deadline = System.nanoTime() + AWAIT.toNanos();
        while (proxy.server().sessions().size() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        return proxy.server().sessions().size() == 0;
    }

    private static int activeServers(ProxyFixture proxy) {
        return proxy.server().pools().stream().mapToInt(PoolStats::active).sum();
    }

    /** Waits until no server is lent to a session (session mode: the reset after a client left runs first). */
    private static int awaitNoActiveServers(ProxyFixture proxy) throws InterruptedException {
        long deadline = System.nanoTime() + AWAIT.toNanos();
        while (activeServers(proxy) > 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        return activeServers(proxy);
    }

    private static void assertFatal28000(RawMessage message, String text) {
        assertThat(message.type()).as(message.toString()).isEqualTo('E');
        assertThat(message.severity()).isEqualTo("FATAL");
        assertThat(message.sqlState()).isEqualTo("28000");
        assertThat(message.message()).isEqualTo(text);
    }

    @ParameterizedTest
    @ValueSource(strings = {"session", "transaction"})
    void idleSessionIsEndedAtTheDeadlineWithoutSendingAnything(String mode) throws Exception {
        long started = System.nanoTime();
        try (RawPgClient client = rawLogin(proxy(mode), "expire:1000")) {
            client.sendQuery("SELECT 1");
            assertThat(client.readUntilReadyForQuery()).noneMatch(message -> message.type() == 'E');

            RawMessage fatal = client.readMessage();
            Duration waited = Duration.ofNanos(System.nanoTime() - started);
            assertFatal28000(fatal, ExpiringLogin.message(USER, 1000));
            assertThat(waited).as("not before the deadline").isGreaterThanOrEqualTo(Duration.ofMillis(950));
            assertThat(waited).as("at the deadline").isLessThan(Duration.ofSeconds(5));
            assertThat(client.isClosedByPeer(Duration.ofSeconds(5))).isTrue();
        }
        assertThat(awaitNoSessions(proxy(mode))).isTrue();
        assertThat(awaitNoActiveServers(proxy(mode))).as("the server went back to the pool").isZero();
    }

    @ParameterizedTest
    @ValueSource(strings = {"session", "transaction"})
    void idlePgjdbcSessionGets28000WithTheMessageOnItsNextUse(String mode) throws Exception {
        try (Connection connection = connect(proxy(mode), "expire:1000")) {
            assertThat(scalar(connection, "SELECT 1")).isEqualTo("1");
            assertThat(awaitNoSessions(proxy(mode))).as("the proxy ended the idle session by itself").isTrue();

            Throwable thrown = catchThrowable(() -> scalar(connection, "SELECT 2"));
            assertThat(thrown).isInstanceOf(SQLException.class);
            assertThat(((SQLException) thrown).getSQLState()).isEqualTo("28000");
            assertThat(thrown.getMessage()).contains(ExpiringLogin.message(USER, 1000));
            assertThat(connection.isValid(1)).isFalse();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"session", "transaction"})
    void openTransactionRunsToItsCommitAndTheSessionEndsRightAfterIt(String mode) throws Exception {
        String who = "raw-" + mode;
        try (RawPgClient client = rawLogin(proxy(mode), "expire:800")) {
            client.sendQuery("BEGIN; INSERT INTO expiry_items VALUES ('" + who + "')");
            assertThat(last(client.readUntilReadyForQuery()).transactionStatus()).isEqualTo('T');
            Thread.sleep(1300);

            assertThat(client.isClosedByPeer(Duration.ofMillis(200))).as("still in after the deadline").isFalse();
            client.sendQuery("SELECT count(*) FROM expiry_items WHERE who = '" + who + "'");
            List<RawMessage> select = client.readUntilReadyForQuery();
            assertThat(select).noneMatch(message -> message.type() == 'E');
            assertThat(last(select).transactionStatus()).isEqualTo('T');

            client.sendQuery("COMMIT");
            RawMessage complete = client.readMessage();
            assertThat(complete.type()).as(complete.toString()).isEqualTo('C');
            RawMessage ready = client.readMessage();
            assertThat(ready.type()).as(ready.toString()).isEqualTo('Z');
            assertThat(ready.transactionStatus()).isEqualTo('I');
            assertFatal28000(client.readMessage(), ExpiringLogin.message(USER, 800));
            assertThat(client.isClosedByPeer(Duration.ofSeconds(5))).isTrue();
        }
        try (Connection direct = postgres.superuserConnection()) {
            assertThat(scalar(direct, "SELECT count(*) FROM expiry_items WHERE who = '" + who + "'")).isEqualTo("1");
        }
        assertThat(awaitNoSessions(proxy(mode))).isTrue();
        assertThat(awaitNoActiveServers(proxy(mode))).isZero();
    }

    @ParameterizedTest
    @ValueSource(strings = {"session", "transaction"})
    void pgjdbcTransactionKeepsWorkingUntilCommitThenTheConnectionIsEnded(String mode) throws Exception {
        String who = "pgjdbc-" + mode;
        try (Connection connection = connect(proxy(mode), "expire:800");
             Statement statement = connection.createStatement()) {
            connection.setAutoCommit(false);
            statement.execute("INSERT INTO expiry_items VALUES ('" + who + "')");
            Thread.sleep(1300);
            statement.execute("INSERT INTO expiry_items VALUES ('" + who + "')");
            assertThat(scalar(connection, "SELECT count(*) FROM expiry_items WHERE who = '" + who + "'")).isEqualTo("2");
            connection.commit();
            assertThat(awaitNoSessions(proxy(mode))).as("ended right after the commit").isTrue();

            Throwable thrown = catchThrowable(() -> statement.execute("SELECT 1"));
            assertThat(thrown).isInstanceOf(SQLException.class);
            // pgjdbc reports the FATAL it finds, or the closed connection when it noticed the close first.
            assertThat(((SQLException) thrown).getSQLState()).isIn("28000", "08003", "08006");
        }
        try (Connection direct = postgres.superuserConnection()) {
            assertThat(scalar(direct, "SELECT count(*) FROM expiry_items WHERE who = '" + who + "'")).isEqualTo("2");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"session", "transaction"})
    void deadlineThatHasPassedRefusesTheLoginRightAfterAuthentication(String mode) throws Exception {
        int before = awaitNoActiveServers(proxy(mode));
        Throwable thrown = catchThrowable(() -> connect(proxy(mode), "expire:-1000").close());

        assertThat(thrown).isInstanceOf(SQLException.class);
        assertThat(((SQLException) thrown).getSQLState()).isEqualTo("28000");
        assertThat(thrown.getMessage()).contains(ExpiringLogin.message(USER, -1000));
        assertThat(awaitNoSessions(proxy(mode))).isTrue();
        assertThat(activeServers(proxy(mode))).isEqualTo(before);
    }

    @ParameterizedTest
    @ValueSource(strings = {"session", "transaction"})
    void theEarliestDeadlineWinsWithItsMessage(String mode) throws Exception {
        long started = System.nanoTime();
        try (RawPgClient client = rawLogin(proxy(mode), "expire:60000,700,30000")) {
            assertFatal28000(client.readMessage(), ExpiringLogin.message(USER, 700));
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"session", "transaction"})
    void sessionThatEndsBeforeItsDeadlineLeavesNothingBehind(String mode) throws Exception {
        ProxyFixture proxy = proxy(mode);
        for (int i = 0; i < 5; i++) {
            try (Connection connection = connect(proxy, "expire:700")) {
                assertThat(scalar(connection, "SELECT 1")).isEqualTo("1");
            }
        }
        assertThat(awaitNoSessions(proxy)).as("every session is gone").isTrue();
        try (Connection other = connect(proxy, "no deadline")) {
            Thread.sleep(1000); // past the deadlines of the sessions that ended
            assertThat(scalar(other, "SELECT current_setting('application_name')")).isEqualTo("no deadline");
            assertThat(proxy.server().sessions().size()).isEqualTo(1);
        }
        assertThat(awaitNoSessions(proxy)).isTrue();
        assertThat(awaitNoActiveServers(proxy)).isZero();
    }

    private static RawMessage last(List<RawMessage> messages) {
        return messages.get(messages.size() - 1);
    }
}
