package io.pgwarden.it.clients;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.pgwarden.testkit.EmbeddedPostgres;
import io.pgwarden.testkit.LeakCheckExtension;
import io.pgwarden.testkit.RawPgClient;
import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.postgresql.util.PSQLException;

/**
 * Client connections coming and going: {@code limits.max_client_connections} refuses the client over the limit the
 * way PostgreSQL does, and a client that leaves, politely or not, takes its server session with it.
 */
@ExtendWith(LeakCheckExtension.class)
class ClientConnectionsIT {

    private static ProxiedPostgres pg;

    @BeforeAll
    static void start() {
        pg = ProxiedPostgres.start(EmbeddedPostgres.builder(), ProxiedPostgres.PASSTHROUGH_FOR_ALL + """
                limits:
                  max_client_connections: 2
                """);
    }

    @AfterAll
    static void stop() {
        if (pg != null) {
            pg.close();
        }
    }

    @Test
    void thirdClientIsRefusedWith53300AndASlotFreesWhenAClientLeaves() throws Exception {
        try (Connection first = pg.viaProxy("")) {
            try (Connection second = pg.viaProxy("")) {
                Throwable thrown = catchThrowable(() -> pg.viaProxy("").close());
                assertThat(thrown).isInstanceOf(PSQLException.class);
                PSQLException refused = (PSQLException) thrown;
                assertThat(refused.getSQLState()).isEqualTo("53300");
                assertThat(refused.getServerErrorMessage()).isNotNull();
                assertThat(refused.getServerErrorMessage().getMessage()).isEqualTo("sorry, too many clients already");
                // The clients inside are not disturbed by the refusal.
                assertThat(Rows.scalar(first, "SELECT 1")).isEqualTo("1");
                assertThat(Rows.scalar(second, "SELECT 2")).isEqualTo("2");
            }
            try (Connection replacement = connectWithin(5)) {
                assertThat(Rows.scalar(replacement, "SELECT 3")).isEqualTo("3");
            }
        }
    }

    @Test
    void failedLoginsCancelRequestsAndDroppedHandshakesGiveTheirSlotsBack() throws Exception {
        for (int i = 0; i < 5; i++) {
            String unknownRole = pg.proxyUrl("postgres", "no_such_role_" + i, "");
            Throwable refused = catchThrowable(() -> DriverManager.getConnection(unknownRole).close());
            assertThat(refused).isInstanceOf(PSQLException.class);
            assertThat(((PSQLException) refused).getSQLState()).isEqualTo("28000");
            try (RawPgClient cancel = RawPgClient.connect("127.0.0.1", pg.proxy().port())) {
                cancel.send(ByteBuffer.allocate(16).putInt(16).putInt(80877102).putInt(12345).putInt(67890).array());
                assertThat(cancel.isClosedByPeer(Duration.ofSeconds(5))).isTrue();
            }
            try (RawPgClient dropped = RawPgClient.connect("127.0.0.1", pg.proxy().port())) {
                dropped.send(new byte[] {0, 0, 0});
            }
        }
        try (Connection first = connectWithin(5); Connection second = connectWithin(5)) {
            assertThat(Rows.scalar(first, "SELECT 1")).isEqualTo("1");
            assertThat(Rows.scalar(second, "SELECT 2")).isEqualTo("2");
        }
    }

    @Test
    void serverSessionTerminatedByAnAdministratorEndsTheClientSessionWithTheServersError() throws Exception {
        try (Connection connection = pg.viaProxy("")) {
            String pid = Rows.scalar(connection, "SELECT pg_backend_pid()");
            try (Connection direct = pg.direct("")) {
                assertThat(Rows.scalar(direct, "SELECT pg_terminate_backend(" + pid + ")")).isEqualTo("t");
            }
            Throwable thrown = catchThrowable(() -> Rows.scalar(connection, "SELECT 1"));
            assertThat(thrown).isInstanceOf(SQLException.class);
            assertThat(((SQLException) thrown).getSQLState()).isIn("57P01", "08006");
            assertThat(connection.isValid(2)).isFalse();
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (pg.proxy().server().sessions().size() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(pg.proxy().server().sessions().size()).as("sessions left in the proxy").isZero();
    }

    @Test
    void clientThatClosesEndsItsServerSessionAndItsOpenTransactionIsRolledBack() throws Exception {
        pg.postgres().execute("postgres", "CREATE TABLE left_behind (id int)");
        try (Connection connection = pg.viaProxy("ApplicationName=polite-leaver")) {
            connection.setAutoCommit(false);
            try (Statement statement = connection.createStatement()) {
                statement.execute("INSERT INTO left_behind VALUES (1)");
            }
        }
        awaitNoServerSession("polite-leaver");
        try (Connection direct = pg.direct("")) {
            assertThat(Rows.scalar(direct, "SELECT count(*) FROM left_behind")).isEqualTo("0");
        }
    }

    @Test
    void clientThatDropsTheSocketEndsItsServerSession() throws Exception {
        try (RawPgClient client = RawPgClient.connect("127.0.0.1", pg.proxy().port())) {
            client.sendStartup(Map.of("user", EmbeddedPostgres.SUPERUSER, "database", "postgres",
                    "application_name", "abrupt-leaver"));
            assertThat(client.readUntilReadyForQuery()).noneMatch(message -> message.type() == 'E');
            client.sendQuery("BEGIN");
            client.readUntilReadyForQuery();
            try (Connection direct = pg.direct("")) {
                assertThat(Rows.scalar(direct, "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'abrupt-leaver'"))
                        .isEqualTo("1");
            }
        }
        awaitNoServerSession("abrupt-leaver");
    }

    /** The server ends a backend a moment after the proxy closes its socket. */
    private static void awaitNoServerSession(String applicationName) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        try (Connection direct = pg.direct("")) {
            String count;
            do {
                count = Rows.scalar(direct, "SELECT count(*) FROM pg_stat_activity WHERE application_name = '"
                        + applicationName + "'");
                if (count.equals("0")) {
                    return;
                }
                Thread.sleep(50);
            } while (System.nanoTime() < deadline);
            throw new AssertionError(count + " server session(s) of " + applicationName + " still open 10s after the client left");
        }
    }

    /** The proxy frees the slot when it sees the socket close, a moment after the client's close returns. */
    private static Connection connectWithin(int seconds) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (true) {
            try {
                return pg.viaProxy("");
            } catch (PSQLException e) {
                if (!"53300".equals(e.getSQLState()) || System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(50);
            }
        }
    }
}
