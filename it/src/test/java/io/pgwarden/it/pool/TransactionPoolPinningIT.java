package io.pgwarden.it.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.pgwarden.testkit.LeakCheckExtension;
import io.pgwarden.testkit.ProxyFixture;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * State that cannot move between servers pins its client in transaction mode, one test per cause.
 *
 * <p>Each test: client P creates the state, then runs several transactions while two background clients run
 * transactions as fast as they can on the same pool of three servers. P must stay on one backend and its state
 * must work there; the background clients and a further client R must never get P's server, and R must not see
 * the state. After P disconnects, three clients take all three servers at once and none may see P's state. The
 * proxy logs one pinning line, naming the reason, for P's session.
 */
@ExtendWith(LeakCheckExtension.class)
class TransactionPoolPinningIT {

    private static final int POOL_SIZE = 3;
    private static final int TRANSACTIONS = 5;

    private static PoolBackend backend;
    private static ProxyFixture proxy;
    private static PinLog pinLog;

    @BeforeAll
    static void start() {
        pinLog = PinLog.capture();
        backend = PoolBackend.start();
        proxy = backend.startProxy("{ mode: transaction, size: %d }".formatted(POOL_SIZE), "");
    }

    @AfterAll
    static void stop() {
        try {
            if (backend != null) {
                backend.close();
            }
        } finally {
            pinLog.close();
        }
    }

    @Test
    void listenPinsAndNotificationsReachTheListener() throws Exception {
        try (Connection notifier = backend.postgres().superuserConnection(PoolBackend.DATABASE)) {
            assertPinned("listen", "LISTEN pool_channel", (p, i) -> {
                // As on a direct connection, a notification reaches a listener between transactions only.
                if (!p.getAutoCommit()) {
                    p.commit();
                }
                execute(notifier, "NOTIFY pool_channel, 'message " + i + "'");
                PGNotification[] received = p.unwrap(PGConnection.class).getNotifications(10_000);
                assertThat(received).as("notifications after NOTIFY %d", i).extracting(PGNotification::getName,
                        PGNotification::getParameter).containsExactly(tuple("pool_channel",
                        "message " + i));
                assertThat(PoolBackend.scalar(p, "SELECT string_agg(c, ',') FROM pg_listening_channels() c"))
                        .isEqualTo("pool_channel");
            }, r -> {
                assertThat(PoolBackend.scalar(r, "SELECT count(*) FROM pg_listening_channels()")).isEqualTo("0");
                assertThat(r.unwrap(PGConnection.class).getNotifications()).isEmpty();
            });
        }
    }

    @Test
    void sessionAdvisoryLockPinsAndStaysHeld() throws Exception {
        assertPinned("advisory", "SELECT pg_advisory_lock(4242)", (p, i) -> assertThat(PoolBackend.scalar(p,
                        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = 4242 AND granted "
                                + "AND pid = pg_backend_pid()")).as("P holds the lock").isEqualTo("1"),
                r -> assertThat(PoolBackend.scalar(r, "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' "
                        + "AND objid = 4242 AND pid = pg_backend_pid()")).as("locks of R's server").isEqualTo("0"));
    }

    @Test
    void temporaryTablePinsAndStaysVisibleToItsClientOnly() throws Exception {
        assertPinned("temp", "CREATE TEMP TABLE pinned_scratch (v int)", (p, i) -> {
            execute(p, "INSERT INTO pinned_scratch VALUES (" + i + ")");
            assertThat(PoolBackend.scalar(p, "SELECT count(*) FROM pinned_scratch")).isEqualTo(String.valueOf(i + 1));
        }, r -> assertThat(PoolBackend.scalar(r, "SELECT to_regclass('pinned_scratch')")).isNull());
    }

    @Test
    void holdCursorPinsAndKeepsItsPosition() throws Exception {
        assertPinned("hold", "DECLARE pinned_cursor CURSOR WITH HOLD FOR SELECT generate_series(1, 100)",
                (p, i) -> assertThat(firstColumn(p, "FETCH 2 FROM pinned_cursor")).as("rows %d and %d", 2 * i + 1, 2 * i + 2)
                        .containsExactly(String.valueOf(2 * i + 1), String.valueOf(2 * i + 2)),
                r -> assertThatThrownBy(() -> execute(r, "FETCH 1 FROM pinned_cursor")).isInstanceOfSatisfying(
                        SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("34000")));
    }

    @Test
    void sessionSetOfAnUnreportedSettingPins() throws Exception {
        String serverDefault;
        try (Connection direct = backend.directAsPooledUser("")) {
            serverDefault = PoolBackend.scalar(direct, "SHOW statement_timeout");
        }
        assertThat(serverDefault).isNotEqualTo("4321ms");
        assertPinned("set", "SET statement_timeout = 4321",
                (p, i) -> assertThat(PoolBackend.scalar(p, "SHOW statement_timeout")).isEqualTo("4321ms"),
                r -> assertThat(PoolBackend.scalar(r, "SHOW statement_timeout")).isEqualTo(serverDefault));
    }

    @Test
    void sessionLevelSetConfigPins() throws Exception {
        String serverDefault;
        try (Connection direct = backend.directAsPooledUser("")) {
            serverDefault = PoolBackend.scalar(direct, "SHOW lock_timeout");
        }
        assertThat(serverDefault).isNotEqualTo("2345ms");
        assertPinned("set", "SELECT set_config('lock_timeout', '2345', false)",
                (p, i) -> assertThat(PoolBackend.scalar(p, "SHOW lock_timeout")).isEqualTo("2345ms"),
                r -> assertThat(PoolBackend.scalar(r, "SHOW lock_timeout")).isEqualTo(serverDefault));
    }

    @Test
    void sqlPreparePinsAndExecuteWorks() throws Exception {
        assertPinned("prepare", "PREPARE pinned_plan (int) AS SELECT $1 * 3",
                (p, i) -> assertThat(PoolBackend.scalar(p, "EXECUTE pinned_plan(" + i + ")")).isEqualTo(String.valueOf(3 * i)),
                r -> assertThatThrownBy(() -> PoolBackend.scalar(r, "EXECUTE pinned_plan(1)")).isInstanceOfSatisfying(
                        SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("26000")));
    }

    @Test
    void loadPinsAndTheLibraryStaysLoaded() throws Exception {
        // auto_explain ships with the embedded binaries; LOAD of it defines its settings in that backend only.
        try (Connection direct = backend.directAsPooledUser("")) {
            execute(direct, "LOAD 'auto_explain'");
        } catch (SQLException e) {
            assumeTrue(false, "no loadable library in the embedded binaries: " + e.getMessage());
        }
        assertPinned("load", "LOAD 'auto_explain'",
                (p, i) -> assertThat(PoolBackend.scalar(p, "SELECT current_setting('auto_explain.log_min_duration', true)"))
                        .isEqualTo("-1"),
                r -> assertThat(PoolBackend.scalar(r, "SELECT current_setting('auto_explain.log_min_duration', true)"))
                        .as("auto_explain's setting, defined where the library is loaded").isNull());
    }

    /**
     * The scenario of the class comment.
     *
     * @param reason a word the reason in the pinning log line must contain
     * @param pin the statement that creates the state, run in its own implicit transaction
     * @param owner checks in P's transaction {@code i} that the state is there and works
     * @param other checks that a client other than P does not see the state
     */
    private static void assertPinned(String reason, String pin, OwnerCheck owner, OtherCheck other) throws Exception {
        int linesBefore = pinLog.lines().size();
        long pinnedBefore = PoolBackend.pinnedSessions(proxy);
        int pinnedPid;
        try (Connection p = PoolBackend.connect(proxy, ""); Connection r = PoolBackend.connect(proxy, "")) {
            execute(p, pin);
            pinnedPid = PoolBackend.backendPid(p);
            Set<Integer> otherPids = new HashSet<>();
            try (BusyClients busy = BusyClients.start(proxy, 2)) {
                for (int i = 0; i < TRANSACTIONS; i++) {
                    p.setAutoCommit(i % 2 == 0);
                    assertThat(PoolBackend.backendPid(p)).as("P's server in transaction %d", i).isEqualTo(pinnedPid);
                    owner.check(p, i);
                    if (!p.getAutoCommit()) {
                        p.commit();
                    }
                    // P's server was released last: a pool that does not pin hands it out next.
                    int rPid = PoolBackend.backendPid(r);
                    assertThat(rPid).as("R's server").isNotEqualTo(pinnedPid);
                    otherPids.add(rPid);
                    other.check(r);
                }
                p.setAutoCommit(true);
                awaitTransactions(busy);
                Set<Integer> busyPids = busy.stop();
                assertThat(busyPids).as("servers of the background clients").isNotEmpty().doesNotContain(pinnedPid);
                otherPids.addAll(busyPids);
            }
            assertThat(otherPids).as("servers of R and the background clients, who share what P left")
                    .hasSizeLessThanOrEqualTo(POOL_SIZE - 1);
        }
        assertThat(PoolBackend.pinnedSessions(proxy)).as("pinned sessions in the pool statistics").isEqualTo(pinnedBefore + 1);
        assertNobodyInheritsTheState(other, pinnedPid);
        List<String> lines = pinLog.linesAfter(linesBefore);
        assertThat(lines).as("pinning log lines of P's session").hasSize(1);
        String line = lines.get(0);
        assertThat(line.substring(line.indexOf(PinLog.MARKER) + PinLog.MARKER.length()).toLowerCase(Locale.ROOT))
                .as("the reason in %s", line).contains(reason);
    }

    /** Waits until the background clients had their chance at the servers. */
    private static void awaitTransactions(BusyClients busy) throws InterruptedException {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (busy.transactions() < 20 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(busy.transactions()).as("transactions of the background clients").isGreaterThanOrEqualTo(20);
    }

    /** Three clients in open transactions hold every server of the pool; none may see the state P left. */
    private static void assertNobodyInheritsTheState(OtherCheck other, int formerPid) throws Exception {
        List<Connection> clients = new ArrayList<>();
        try {
            List<Integer> pids = new ArrayList<>();
            for (int i = 0; i < POOL_SIZE; i++) {
                Connection client = PoolBackend.connect(proxy, "");
                clients.add(client);
                client.setAutoCommit(false);
                pids.add(PoolBackend.backendPid(client));
            }
            for (int i = 0; i < POOL_SIZE; i++) {
                try {
                    other.check(clients.get(i));
                } catch (AssertionError e) {
                    throw new AssertionError("after P disconnected, a client on server " + pids.get(i)
                            + (pids.get(i) == formerPid ? " (P's server)" : "") + ": " + e.getMessage(), e);
                }
                clients.get(i).rollback();
            }
        } finally {
            for (Connection client : clients) {
                client.close();
            }
        }
    }

    private static List<String> firstColumn(Connection connection, String sql) throws SQLException {
        List<String> values = new ArrayList<>();
        try (Statement statement = connection.createStatement(); ResultSet rs = statement.executeQuery(sql)) {
            while (rs.next()) {
                values.add(rs.getString(1));
            }
        }
        return values;
    }

    private static void execute(Connection connection, String sql) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }

    @FunctionalInterface
    private interface OwnerCheck {
        void check(Connection pinned, int transaction) throws Exception;
    }

    @FunctionalInterface
    private interface OtherCheck {
        void check(Connection other) throws Exception;
    }
}
