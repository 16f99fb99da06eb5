package io.pgwarden.it.clients;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.pgwarden.testkit.EmbeddedPostgres;
import io.pgwarden.testkit.LeakCheckExtension;
import io.pgwarden.testkit.ProxyFixture;
import io.pgwarden.testkit.RawMessage;
import io.pgwarden.testkit.RawPgClient;
import java.io.IOException;
import java.net.ConnectException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code PgwardenServer.close()} with clients connected. Each test closes its own proxy, so the proxy is started per
 * test in front of one server for the class.
 */
@ExtendWith(LeakCheckExtension.class)
class GracefulShutdownIT {

    /** Long enough that a session ended by the timeout, not by its transaction, shows in the close time. */
    private static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(20);

    private static EmbeddedPostgres postgres;
    private ProxyFixture proxy;
    private int proxyPort;

    @BeforeAll
    static void startServer() {
        postgres = EmbeddedPostgres.start();
    }

    @AfterAll
    static void stopServer() {
        if (postgres != null) {
            postgres.close();
        }
    }

    @BeforeEach
    void startProxy() {
        startProxy(SHUTDOWN_TIMEOUT);
    }

    private void startProxy(Duration shutdownTimeout) {
        proxy = ProxiedPostgres.startProxy(postgres, ProxiedPostgres.PASSTHROUGH_FOR_ALL
                + "limits: { shutdown_timeout: " + shutdownTimeout.toMillis() + "ms }\n");
        proxyPort = proxy.port();
    }

    @AfterEach
    void closeProxy() {
        proxy.close();
    }

    private String proxyUrl() {
        return ProxiedPostgres.url(proxyPort, "postgres", EmbeddedPostgres.SUPERUSER, "");
    }

    @Test
    void idleClientReceivesFatal57P01AndTheConnectionCloses() throws Exception {
        try (RawPgClient client = RawPgClient.connect("127.0.0.1", proxyPort)) {
            client.sendStartup(Map.of("user", EmbeddedPostgres.SUPERUSER, "database", "postgres"));
            List<RawMessage> startup = client.readUntilReadyForQuery();
            assertThat(startup).noneMatch(message -> message.type() == 'E');
            assertThat(startup.get(startup.size() - 1).transactionStatus()).isEqualTo('I');

            long started = System.nanoTime();
            proxy.close();
            assertThat(Duration.ofNanos(System.nanoTime() - started)).as("an idle session does not hold up close")
                    .isLessThan(Duration.ofSeconds(5));
            RawMessage message = client.readMessage();
            assertThat(message.type()).as(message.toString()).isEqualTo('E');
            assertThat(message.severity()).isEqualTo("FATAL");
            assertThat(message.sqlState()).isEqualTo("57P01");
            assertThat(client.isClosedByPeer(Duration.ofSeconds(5))).isTrue();
        }
    }

    @Test
    void idlePgjdbcClientGets57P01AtItsNextStatement() throws Exception {
        try (Connection connection = DriverManager.getConnection(proxyUrl())) {
            assertThat(Rows.scalar(connection, "SELECT 1")).isEqualTo("1");
            proxy.close();
            Throwable thrown = catchThrowable(() -> Rows.scalar(connection, "SELECT 2"));
            assertThat(thrown).isInstanceOf(SQLException.class);
            assertThat(((SQLException) thrown).getSQLState()).isEqualTo("57P01");
            assertThat(connection.isValid(1)).isFalse();
        }
    }

    @Test
    void clientInsideATransactionCommitsFirstAndIsEndedAfterwards() throws Exception {
        postgres.execute("postgres", "CREATE TABLE IF NOT EXISTS shutdown_items (id int)", "TRUNCATE shutdown_items");
        try (Connection connection = DriverManager.getConnection(proxyUrl());
             Statement statement = connection.createStatement()) {
            connection.setAutoCommit(false);
            statement.execute("INSERT INTO shutdown_items VALUES (1)");

            long started = System.nanoTime();
            CompletableFuture<Void> closing = CompletableFuture.runAsync(proxy::close);
            awaitListenerClosed();
            // The shutdown is under way; the open transaction may still finish its work and commit.
            statement.execute("INSERT INTO shutdown_items VALUES (2)");
            connection.commit();
            closing.get(SHUTDOWN_TIMEOUT.toSeconds() + 10, TimeUnit.SECONDS);
            assertThat(Duration.ofNanos(System.nanoTime() - started))
                    .as("the session ended at its commit, not at the shutdown timeout").isLessThan(SHUTDOWN_TIMEOUT);

            Throwable thrown = catchThrowable(() -> statement.execute("SELECT 3"));
            assertThat(thrown).isInstanceOf(SQLException.class);
            assertThat(((SQLException) thrown).getSQLState()).isIn("57P01", "08003", "08006");
        }
        try (Connection direct = postgres.superuserConnection()) {
            assertThat(Rows.query(direct, "SELECT id FROM shutdown_items ORDER BY id"))
                    .containsExactly(List.of("1"), List.of("2"));
        }
    }

    @Test
    void clientInsideATransactionReceivesItsCommitResultBeforeTheFatal57P01() throws Exception {
        try (RawPgClient client = RawPgClient.connect("127.0.0.1", proxyPort)) {
            client.sendStartup(Map.of("user", EmbeddedPostgres.SUPERUSER, "database", "postgres"));
            assertThat(client.readUntilReadyForQuery()).noneMatch(message -> message.type() == 'E');
            client.sendQuery("BEGIN");
            assertThat(last(client.readUntilReadyForQuery()).transactionStatus()).isEqualTo('T');

            CompletableFuture<Void> closing = CompletableFuture.runAsync(proxy::close);
            awaitListenerClosed();
            client.sendQuery("SELECT 'inside the draining transaction'");
            List<RawMessage> select = client.readUntilReadyForQuery();
            assertThat(select).noneMatch(message -> message.type() == 'E');
            assertThat(last(select).transactionStatus()).isEqualTo('T');

            client.sendQuery("COMMIT");
            RawMessage complete = client.readMessage();
            assertThat(complete.type()).as(complete.toString()).isEqualTo('C');
            assertThat(new String(complete.body(), StandardCharsets.UTF_8)).isEqualTo("COMMIT\0");
            RawMessage ready = client.readMessage();
            assertThat(ready.type()).as(ready.toString()).isEqualTo('Z');
            assertThat(ready.transactionStatus()).isEqualTo('I');
            RawMessage fatal = client.readMessage();
            assertThat(fatal.type()).as(fatal.toString()).isEqualTo('E');
            assertThat(fatal.severity()).isEqualTo("FATAL");
            assertThat(fatal.sqlState()).isEqualTo("57P01");
            assertThat(client.isClosedByPeer(Duration.ofSeconds(5))).isTrue();
            closing.get(SHUTDOWN_TIMEOUT.toSeconds() + 10, TimeUnit.SECONDS);
        }
    }

    @Test
    void clientRunningAQueryReceivesItsResultBeforeTheFatal57P01() throws Exception {
        try (RawPgClient client = RawPgClient.connect("127.0.0.1", proxyPort)) {
            client.sendStartup(Map.of("user", EmbeddedPostgres.SUPERUSER, "database", "postgres"));
            assertThat(client.readUntilReadyForQuery()).noneMatch(message -> message.type() == 'E');
            client.sendQuery("SELECT pg_sleep(1)::text || 'query finished'");
            CompletableFuture<Void> closing = CompletableFuture.runAsync(proxy::close);
            awaitListenerClosed();
            List<RawMessage> result = client.readUntilReadyForQuery();
            assertThat(result).extracting(RawMessage::type).containsExactly('T', 'D', 'C', 'Z');
            assertThat(last(result).transactionStatus()).isEqualTo('I');
            RawMessage fatal = client.readMessage();
            assertThat(fatal.type()).as(fatal.toString()).isEqualTo('E');
            assertThat(fatal.sqlState()).isEqualTo("57P01");
            assertThat(client.isClosedByPeer(Duration.ofSeconds(5))).isTrue();
            closing.get(SHUTDOWN_TIMEOUT.toSeconds() + 10, TimeUnit.SECONDS);
        }
    }

    @Test
    void transactionLeftOpenIsEndedAtTheShutdownTimeoutAndRolledBack() throws Exception {
        proxy.close();
        startProxy(Duration.ofSeconds(1));
        postgres.execute("postgres", "CREATE TABLE IF NOT EXISTS abandoned_items (id int)", "TRUNCATE abandoned_items");
        try (Connection connection = DriverManager.getConnection(proxyUrl());
             Statement statement = connection.createStatement()) {
            connection.setAutoCommit(false);
            statement.execute("INSERT INTO abandoned_items VALUES (1)");
            long started = System.nanoTime();
            proxy.close();
            Duration closing = Duration.ofNanos(System.nanoTime() - started);
            assertThat(closing).as("close waits for the timeout, not longer").isBetween(Duration.ofMillis(900), Duration.ofSeconds(8));
            Throwable thrown = catchThrowable(() -> statement.execute("COMMIT"));
            assertThat(thrown).isInstanceOf(SQLException.class);
            assertThat(((SQLException) thrown).getSQLState()).isIn("57P01", "08006");
        }
        try (Connection direct = postgres.superuserConnection()) {
            assertThat(Rows.scalar(direct, "SELECT count(*) FROM abandoned_items")).isEqualTo("0");
        }
    }

    private static RawMessage last(List<RawMessage> messages) {
        return messages.get(messages.size() - 1);
    }

    /** Close stops the listener first; once new connections are refused, the sessions are being drained. */
    private void awaitListenerClosed() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            try (Socket probe = new Socket("127.0.0.1", proxyPort)) {
                Thread.sleep(20);
            } catch (ConnectException refused) {
                Thread.sleep(200);
                return;
            } catch (IOException other) {
                Thread.sleep(20);
            }
        }
        throw new AssertionError("the proxy kept accepting connections after close() began");
    }
}
