package io.pgwarden.it.clients;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgwarden.testkit.EmbeddedPostgres;
import io.pgwarden.testkit.LeakCheckExtension;
import io.pgwarden.testkit.RawMessage;
import io.pgwarden.testkit.RawPgClient;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/** What arrives outside a request and response: notifications between sessions, and cancel requests. */
@ExtendWith(LeakCheckExtension.class)
class PgjdbcAsyncMessagesIT {

    /** Cancel must end pg_sleep(30) well before it would end by itself. */
    private static final Duration CANCEL_BOUND = Duration.ofSeconds(10);

    private static ProxiedPostgres pg;

    @BeforeAll
    static void start() {
        pg = ProxiedPostgres.start(EmbeddedPostgres.builder(), ProxiedPostgres.PASSTHROUGH_FOR_ALL);
    }

    @AfterAll
    static void stop() {
        if (pg != null) {
            pg.close();
        }
    }

    @Test
    void notifyFromOneProxiedSessionReachesAListenerInAnother() throws Exception {
        try (Connection listener = pg.viaProxy(""); Connection notifier = pg.viaProxy("");
             Statement listen = listener.createStatement(); Statement notify = notifier.createStatement()) {
            listen.execute("LISTEN pgwarden_events");
            String notifierPid = Rows.scalar(notifier, "SELECT pg_backend_pid()");
            notify.execute("NOTIFY pgwarden_events, 'first payload'");
            notify.execute("SELECT pg_notify('pgwarden_events', 'second payload')");
            notify.execute("NOTIFY other_channel, 'not for the listener'");

            PGConnection pgListener = listener.unwrap(PGConnection.class);
            PGNotification[] received = pgListener.getNotifications(5_000);
            assertThat(received).isNotNull();
            if (received.length < 2) {
                PGNotification[] more = pgListener.getNotifications(5_000);
                received = concat(received, more == null ? new PGNotification[0] : more);
            }
            assertThat(received).extracting(PGNotification::getName, PGNotification::getParameter)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("pgwarden_events", "first payload"),
                            org.assertj.core.groups.Tuple.tuple("pgwarden_events", "second payload"));
            assertThat(received[0].getPID()).isEqualTo(Integer.parseInt(notifierPid));
        }
    }

    private static PGNotification[] concat(PGNotification[] first, PGNotification[] second) {
        PGNotification[] all = new PGNotification[first.length + second.length];
        System.arraycopy(first, 0, all, 0, first.length);
        System.arraycopy(second, 0, all, first.length, second.length);
        return all;
    }

    @Test
    void queryTimeoutCancelsPgSleepWith57014AndTheConnectionStaysUsable() throws Exception {
        try (Connection connection = pg.viaProxy(""); Statement statement = connection.createStatement()) {
            statement.setQueryTimeout(1);
            long started = System.nanoTime();
            assertThatThrownBy(() -> statement.execute("SELECT pg_sleep(30)"))
                    .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("57014"));
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(CANCEL_BOUND);
            statement.setQueryTimeout(0);
            assertThat(Rows.scalar(connection, "SELECT 'still usable'")).isEqualTo("still usable");
        }
    }

    @Test
    void statementCancelFromAnotherThreadStopsTheRunningQuery() throws Exception {
        try (Connection connection = pg.viaProxy(""); Statement statement = connection.createStatement();
             Connection observer = pg.direct("")) {
            String pid = Rows.scalar(connection, "SELECT pg_backend_pid()");
            long started = System.nanoTime();
            CompletableFuture<Void> sleeping = CompletableFuture.runAsync(() -> {
                try {
                    statement.execute("SELECT pg_sleep(30)");
                } catch (SQLException e) {
                    throw new java.util.concurrent.CompletionException(e);
                }
            });
            awaitActive(observer, pid);
            statement.cancel();
            assertThatThrownBy(() -> sleeping.get(CANCEL_BOUND.toSeconds(), TimeUnit.SECONDS))
                    .hasCauseInstanceOf(SQLException.class)
                    .satisfies(e -> assertThat(((SQLException) e.getCause()).getSQLState()).isEqualTo("57014"));
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(CANCEL_BOUND);
            assertThat(Rows.scalar(connection, "SELECT 'after cancel'")).isEqualTo("after cancel");
        }
    }

    @Test
    void cancelReachesOnlyTheSessionWhoseStatementIsCancelled() throws Exception {
        try (Connection cancelled = pg.viaProxy(""); Connection bystander = pg.viaProxy("");
             Statement cancelledStatement = cancelled.createStatement(); Connection observer = pg.direct("")) {
            String cancelledPid = Rows.scalar(cancelled, "SELECT pg_backend_pid()");
            String bystanderPid = Rows.scalar(bystander, "SELECT pg_backend_pid()");
            CompletableFuture<String> bystanderResult = CompletableFuture.supplyAsync(() -> {
                try {
                    return Rows.scalar(bystander, "SELECT pg_sleep(2)::text || 'bystander finished'");
                } catch (SQLException e) {
                    throw new java.util.concurrent.CompletionException(e);
                }
            });
            CompletableFuture<Void> cancelledRun = CompletableFuture.runAsync(() -> {
                try {
                    cancelledStatement.execute("SELECT pg_sleep(30)");
                } catch (SQLException e) {
                    throw new java.util.concurrent.CompletionException(e);
                }
            });
            awaitActive(observer, bystanderPid, "pg_sleep(2)");
            awaitActive(observer, cancelledPid, "pg_sleep(30)");
            cancelledStatement.cancel();
            assertThatThrownBy(() -> cancelledRun.get(CANCEL_BOUND.toSeconds(), TimeUnit.SECONDS))
                    .hasCauseInstanceOf(SQLException.class);
            assertThat(bystanderResult.get(CANCEL_BOUND.toSeconds(), TimeUnit.SECONDS)).isEqualTo("bystander finished");
        }
    }

    @Test
    void cancelRequestWithAWrongSecretIsIgnoredAndTheRightOneCancels() throws Exception {
        try (RawPgClient client = RawPgClient.connect("127.0.0.1", pg.proxy().port());
             Connection observer = pg.direct("")) {
            client.sendStartup(Map.of("user", EmbeddedPostgres.SUPERUSER, "database", "postgres"));
            RawMessage keyData = client.readUntilReadyForQuery().stream().filter(message -> message.type() == 'K')
                    .findFirst().orElseThrow(() -> new AssertionError("no BackendKeyData from the proxy"));
            ByteBuffer body = ByteBuffer.wrap(keyData.body());
            int processId = body.getInt();
            byte[] secret = new byte[body.remaining()];
            body.get(secret);
            byte[] wrongSecret = secret.clone();
            wrongSecret[0] ^= 0x5a;

            client.sendQuery("SELECT pg_backend_pid()");
            String serverPid = firstValue(client.readUntilReadyForQuery());
            client.sendQuery("SELECT pg_sleep(3)");
            awaitActive(observer, serverPid, "pg_sleep(3)");
            sendCancel(processId, wrongSecret);
            List<RawMessage> finished = client.readUntilReadyForQuery();
            assertThat(finished).as("a cancel with the wrong secret has no effect").noneMatch(message -> message.type() == 'E');

            client.sendQuery("SELECT pg_sleep(30)");
            awaitActive(observer, serverPid, "pg_sleep(30)");
            sendCancel(processId, secret);
            List<RawMessage> cancelled = client.readUntilReadyForQuery();
            assertThat(cancelled).filteredOn(message -> message.type() == 'E').extracting(RawMessage::sqlState)
                    .containsExactly("57014");
        }
    }

    /** The first column of the first DataRow: Int16 column count, Int32 length, the text. */
    private static String firstValue(List<RawMessage> messages) {
        ByteBuffer row = ByteBuffer.wrap(messages.stream().filter(message -> message.type() == 'D').findFirst()
                .orElseThrow(() -> new AssertionError("no DataRow in " + messages)).body());
        row.getShort();
        byte[] value = new byte[row.getInt()];
        row.get(value);
        return new String(value, StandardCharsets.US_ASCII);
    }

    /** A CancelRequest on its own connection, as clients send it: length 16 + key length, code 80877102, pid, key. */
    private static void sendCancel(int processId, byte[] secret) throws Exception {
        try (RawPgClient canceller = RawPgClient.connect("127.0.0.1", pg.proxy().port())) {
            ByteBuffer request = ByteBuffer.allocate(12 + secret.length);
            request.putInt(12 + secret.length).putInt(80877102).putInt(processId).put(secret);
            canceller.send(request.array());
            assertThat(canceller.isClosedByPeer(Duration.ofSeconds(5))).as("the proxy closes a cancel connection").isTrue();
        }
    }

    /** Waits until the server runs pg_sleep for that backend, so that the cancel cannot arrive before the query. */
    private static void awaitActive(Connection observer, String pid) throws Exception {
        awaitActive(observer, pid, "pg_sleep(30)");
    }

    private static void awaitActive(Connection observer, String pid, String call) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            String state = Rows.scalar(observer, "SELECT coalesce((SELECT state || ':' || query FROM pg_stat_activity "
                    + "WHERE pid = " + pid + "), 'gone')");
            if (state.startsWith("active:") && state.contains(call)) {
                return;
            }
            Thread.sleep(20);
        }
        throw new AssertionError(call + " never became active on backend " + pid);
    }
}
