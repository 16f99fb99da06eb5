package io.pgwarden.it.poolfault;

import static io.pgwarden.it.poolfault.PoolFixture.DATABASE;
import static io.pgwarden.it.poolfault.PoolFixture.DATABASE_2;
import static io.pgwarden.it.poolfault.PoolFixture.SOON;
import static io.pgwarden.it.poolfault.PoolFixture.USER;
import static io.pgwarden.it.poolfault.PoolFixture.USER_2;
import static io.pgwarden.it.poolfault.PoolFixture.connect;
import static io.pgwarden.it.poolfault.PoolFixture.errorOf;
import static io.pgwarden.it.poolfault.PoolFixture.scalar;
import static io.pgwarden.it.poolfault.PoolFixture.serverPid;
import static io.pgwarden.it.poolfault.PoolFixture.valueOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.pgwarden.testkit.BackendActivity;
import io.pgwarden.testkit.EmbeddedPostgres;
import io.pgwarden.testkit.EmbeddedPostgresExtension;
import io.pgwarden.testkit.RawMessage;
import io.pgwarden.testkit.RawSession;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

/**
 * The pool's limits with PgBouncer's meanings, checked against what PostgreSQL itself sees in pg_stat_activity:
 * a waiting client gets FATAL {@code 53300} after {@code query_wait_timeout}; {@code min_size} servers exist
 * before any client; the reserve opens only after {@code reserve_timeout}; the per-database and per-user caps are
 * never exceeded while clients wait and are then served; {@code limits.max_client_connections} still refuses;
 * idle servers above {@code min_size} close; old servers are replaced; idle clients are ended with PostgreSQL's
 * own SQLSTATEs.
 */
class PoolLimitsIT extends PoolFaultTest {

    @RegisterExtension
    static final EmbeddedPostgresExtension PG = EmbeddedPostgresExtension.with(PoolFixture::server);

    /** Both users' servers in one pg_stat_activity snapshot, for counts over both. */
    private BackendActivity bothUsers;

    @Override
    EmbeddedPostgres postgres() {
        return PG.server();
    }

    @BeforeEach
    void startFromNoServersOfEitherUser() {
        bothUsers = BackendActivity.of(PG.server(), USER, USER_2);
        bothUsers.terminateAll(SOON);
    }

    @Test
    void clientWaitingLongerThanQueryWaitTimeoutGetsFatal53300AndTheHolderCarriesOn() throws Exception {
        proxy = PoolFixture.proxy(PG.server(), "mode: transaction, size: 1, query_wait_timeout: 2s");
        try (Connection holder = connect(proxy); Connection waiter = connect(proxy)) {
            holder.setAutoCommit(false);
            assertThat(scalar(holder, "SELECT 'holding'")).isEqualTo("holding");

            long started = System.nanoTime();
            ServerErrorMessage error = errorOf(background.submit(() -> scalar(waiter, "SELECT 'waiting'")));
            Duration waited = Duration.ofNanos(System.nanoTime() - started);

            assertThat(error.getSQLState()).as(error.toString()).isEqualTo("53300");
            assertThat(error.getSeverity()).isEqualTo("FATAL");
            assertThat(error.getMessage()).startsWith("no server connection available within query_wait_timeout");
            assertThat(waited).as("the error comes after the wait, not at once").isGreaterThan(Duration.ofMillis(1500));
            assertThat(waiter.isValid(2)).as("the waiter was disconnected").isFalse();

            assertThat(scalar(holder, "SELECT 'still holding'")).isEqualTo("still holding");
            holder.commit();
            assertThat(activity.processes()).hasSize(1);
        }
    }

    @Test
    void clientArrivingWhileThePoolIsExhaustedGetsFatal53300NotAHang() throws Exception {
        proxy = PoolFixture.proxy(PG.server(), "mode: transaction, size: 1, query_wait_timeout: 2s");
        try (Connection holder = connect(proxy)) {
            holder.setAutoCommit(false);
            assertThat(scalar(holder, "SELECT 'holding'")).isEqualTo("holding");

            // Whether the login itself or its first statement waits for the server, the wait ends in 53300.
            ServerErrorMessage error = errorOf(background.submit(() -> {
                try (Connection late = connect(proxy)) {
                    return scalar(late, "SELECT 'late'");
                }
            }));
            assertThat(error.getSQLState()).as(error.toString()).isEqualTo("53300");
            assertThat(error.getSeverity()).isEqualTo("FATAL");
            assertThat(error.getMessage()).startsWith("no server connection available within query_wait_timeout");

            holder.commit();
            holder.setAutoCommit(true);
            PoolFixture.awaitPool(proxy, "its one server idle, nobody waiting",
                    pool -> pool.waiting() == 0 && pool.active() == 0 && pool.idle() == 1);
            try (Connection afterwards = connect(proxy)) {
                assertThat(scalar(afterwards, "SELECT 'served'")).isEqualTo("served");
            }
        }
    }

    @Test
    void minSizeServersArePrewarmedBeforeAnyClient() throws Exception {
        proxy = PoolFixture.proxy(PG.server().host(), PG.server().port(), "mode: transaction, size: 4, min_size: 2",
                "- { database: prewarmed, method: trust, login: { user: " + USER + ", database: " + DATABASE + " } }",
                "");
        List<Integer> warm = activity.await("two pre-warmed servers before any client", SOON,
                processes -> processes.size() == 2 && processes.stream().allMatch(p -> "idle".equals(p.state())))
                .stream().map(BackendActivity.Process::pid).toList();

        try (Connection client = connect(proxy, "prewarmed", "anyone")) {
            assertThat(serverPid(client)).as("the client is served by a pre-warmed server").isIn(warm);
            assertThat(scalar(client, "SELECT current_user || '@' || current_database()"))
                    .isEqualTo(USER + "@" + DATABASE);
        }
        assertThat(activity.processes()).extracting(BackendActivity.Process::pid)
                .containsExactlyInAnyOrderElementsOf(warm);
    }

    @Test
    void reserveOpensAfterReserveTimeoutAndNoFurther() throws Exception {
        proxy = PoolFixture.proxy(PG.server(),
                "mode: transaction, size: 1, reserve_size: 1, reserve_timeout: 1s, query_wait_timeout: 4s");
        try (Connection holder = connect(proxy); Connection second = connect(proxy);
             Connection third = connect(proxy)) {
            holder.setAutoCommit(false);
            int held = serverPid(holder);

            second.setAutoCommit(false);
            long started = System.nanoTime();
            int reserve = valueOf(background.submit(() -> serverPid(second)));
            Duration waited = Duration.ofNanos(System.nanoTime() - started);
            assertThat(reserve).as("the reserve server").isNotEqualTo(held);
            assertThat(waited).as("the reserve is used only after reserve_timeout")
                    .isGreaterThan(Duration.ofMillis(800));
            assertThat(activity.processes()).hasSize(2);

            ServerErrorMessage error = errorOf(background.submit(() -> scalar(third, "SELECT 'beyond the reserve'")));
            assertThat(error.getSQLState()).as(error.toString()).isEqualTo("53300");
            assertThat(activity.processes()).as("size 1 plus reserve 1").hasSize(2);

            holder.commit();
            second.commit();
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"max_db_connections: 2", "databases: { " + DATABASE + ": { max_connections: 2 } }"})
    void maxDbConnectionsCapsServersOverAllLoginsWhileEveryClientIsServed(String cap) throws Exception {
        proxy = PoolFixture.proxy(PG.server(), "mode: transaction, size: 5, query_wait_timeout: 15s, " + cap);
        assertCapHolds(2, () -> inUse(DATABASE),
                List.of(login(DATABASE, USER), login(DATABASE, USER)), List.of(login(DATABASE, USER_2), login(DATABASE, USER_2)));
        assertThat(bothUsers.processes(DATABASE)).as("servers of the database once the clients are done")
                .hasSizeLessThanOrEqualTo(2);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"max_user_connections: 2", "users: { " + USER + ": { max_connections: 2 } }"})
    void maxUserConnectionsCapsServersOverAllDatabasesWhileEveryClientIsServed(String cap) throws Exception {
        proxy = PoolFixture.proxy(PG.server(), "mode: transaction, size: 5, query_wait_timeout: 15s, " + cap);
        assertCapHolds(2, () -> (int) activity.processes().stream().filter(BackendActivity.Process::inUse).count(),
                List.of(login(DATABASE, USER), login(DATABASE, USER)), List.of(login(DATABASE_2, USER), login(DATABASE_2, USER)));
        assertThat(activity.processes()).as("servers of the user once the clients are done")
                .hasSizeLessThanOrEqualTo(2);
    }

    @Test
    void maxClientConnectionsStillRefusesTheClientOverTheLimit() throws Exception {
        proxy = PoolFixture.proxy(PG.server(), "mode: transaction, size: 1",
                "limits: { max_client_connections: 2 }");
        try (Connection first = connect(proxy); Connection second = connect(proxy)) {
            Throwable thrown = catchThrowable(() -> connect(proxy).close());
            assertThat(thrown).isInstanceOf(PSQLException.class);
            ServerErrorMessage refusal = ((PSQLException) thrown).getServerErrorMessage();
            assertThat(refusal).as(String.valueOf(thrown)).isNotNull();
            assertThat(refusal.getSQLState()).isEqualTo("53300");
            assertThat(refusal.getMessage()).isEqualTo("sorry, too many clients already");
            assertThat(scalar(first, "SELECT 1")).isEqualTo("1");
            assertThat(scalar(second, "SELECT 2")).isEqualTo("2");
        }
    }

    @Test
    void serverIdleTimeoutClosesIdleServersDownToMinSize() throws Exception {
        proxy = PoolFixture.proxy(PG.server(), "mode: transaction, size: 3, min_size: 1, server_idle_timeout: 1s");
        try (Connection a = connect(proxy); Connection b = connect(proxy); Connection c = connect(proxy)) {
            for (Connection client : List.of(a, b, c)) {
                client.setAutoCommit(false);
                serverPid(client);
            }
            assertThat(activity.processes()).hasSize(3);
            for (Connection client : List.of(a, b, c)) {
                client.commit();
            }
            activity.await("the idle servers above min_size closed", SOON, processes -> processes.size() == 1);
            Thread.sleep(2500);
            assertThat(activity.processes()).as("min_size stays open past the idle timeout").hasSize(1);
            a.setAutoCommit(true);
            assertThat(scalar(a, "SELECT 'after the idle timeout'")).isEqualTo("after the idle timeout");
        }
    }

    @Test
    void serverLifetimeReplacesOldServersButNeverInsideATransaction() throws Exception {
        proxy = PoolFixture.proxy(PG.server(), "mode: transaction, size: 1, server_lifetime: 1s");
        try (Connection client = connect(proxy)) {
            client.setAutoCommit(false);
            int old = serverPid(client);
            Thread.sleep(1500);
            assertThat(serverPid(client)).as("a transaction keeps its server past the lifetime").isEqualTo(old);
            client.commit();
            client.setAutoCommit(true);

            long deadline = System.nanoTime() + SOON.toNanos();
            int current = serverPid(client);
            while (current == old && System.nanoTime() < deadline) {
                Thread.sleep(200);
                current = serverPid(client);
            }
            assertThat(current).as("a server older than server_lifetime is replaced").isNotEqualTo(old);
            activity.awaitGone(old, SOON);
        }
    }

    @Test
    void serverIdleLongerThanServerCheckDelayRunsTheCheckQueryBeforeReuse() throws Exception {
        PG.server().execute(DATABASE, "DROP TABLE IF EXISTS pool_checks", "CREATE TABLE pool_checks (pid int)",
                "GRANT ALL ON pool_checks TO " + USER,
                "CREATE OR REPLACE FUNCTION pool_check() RETURNS int LANGUAGE sql"
                        + " AS $$ INSERT INTO pool_checks VALUES (pg_backend_pid()) RETURNING 1 $$");
        proxy = PoolFixture.proxy(PG.server(),
                "mode: transaction, size: 1, server_check_delay: 3s, server_check_query: \"SELECT pool_check()\"");
        try (Connection client = connect(proxy); Connection direct = PG.server().superuserConnection(DATABASE)) {
            int server = serverPid(client);
            String before = scalar(direct, "SELECT count(*) FROM pool_checks");
            assertThat(serverPid(client)).isEqualTo(server);
            assertThat(scalar(direct, "SELECT count(*) FROM pool_checks"))
                    .as("a server idle for less than server_check_delay is not checked").isEqualTo(before);

            Thread.sleep(3500);
            assertThat(serverPid(client)).isEqualTo(server);
            assertThat(scalar(direct, "SELECT count(*) FROM pool_checks WHERE pid = " + server))
                    .as("the check ran once on the server before it was reused")
                    .isEqualTo(String.valueOf(Integer.parseInt(before) + 1));
        }
    }

    @Test
    void clientIdleInsideATransactionLongerThanIdleTransactionTimeoutGetsFatal25P03() throws Exception {
        PG.server().execute(DATABASE, "DROP TABLE IF EXISTS idle_items", "CREATE TABLE idle_items (id int)",
                "GRANT ALL ON idle_items TO " + USER);
        proxy = PoolFixture.proxy(PG.server(), "mode: transaction, size: 2, idle_transaction_timeout: 1s");
        try (RawSession outside = PoolFixture.raw(proxy); RawSession inside = PoolFixture.raw(proxy)) {
            inside.query("BEGIN");
            inside.query("INSERT INTO idle_items VALUES (1)");

            RawMessage fatal = inside.client().readMessage();
            assertThat(fatal.type()).as(fatal.toString()).isEqualTo('E');
            assertThat(fatal.severity()).isEqualTo("FATAL");
            assertThat(fatal.sqlState()).isEqualTo("25P03");
            assertThat(fatal.message()).isEqualTo("terminating connection due to idle-in-transaction timeout");
            assertThat(inside.client().isClosedByPeer(SOON)).isTrue();

            assertThat(outside.client().isClosedByPeer(Duration.ofSeconds(1)))
                    .as("a client idle outside a transaction is left alone").isFalse();
            assertThat(outside.value("SELECT count(*) FROM idle_items")).as("the INSERT was rolled back").isEqualTo("0");
            activity.await("no server left idle in transaction", SOON,
                    processes -> processes.stream().noneMatch(BackendActivity.Process::inUse));
        }
    }

    @Test
    void clientIdleOutsideATransactionLongerThanClientIdleTimeoutGetsFatal57P05() throws Exception {
        proxy = PoolFixture.proxy(PG.server(), "mode: transaction, size: 2, client_idle_timeout: 1s");
        try (RawSession inside = PoolFixture.raw(proxy)) {
            inside.query("BEGIN");
            try (RawSession idle = PoolFixture.raw(proxy)) {
                RawMessage fatal = idle.client().readMessage();
                assertThat(fatal.type()).as(fatal.toString()).isEqualTo('E');
                assertThat(fatal.severity()).isEqualTo("FATAL");
                assertThat(fatal.sqlState()).isEqualTo("57P05");
                assertThat(fatal.message()).isEqualTo("terminating connection due to idle-session timeout");
                assertThat(idle.client().isClosedByPeer(SOON)).isTrue();
            }
            assertThat(inside.client().isClosedByPeer(Duration.ofSeconds(1)))
                    .as("a client idle inside a transaction is not ended by client_idle_timeout").isFalse();
            assertThat(RawSession.transactionStatus(inside.query("COMMIT"))).isEqualTo('I');
        }
    }

    /** A client login of the cap tests: the database and user it connects as. */
    private record Login(String database, String user) {
    }

    private static Login login(String database, String user) {
        return new Login(database, user);
    }

    /**
     * Servers of {@code database} (both users) running a client's transaction now, from one snapshot: adding two
     * snapshots would count a server one pool gave up and the one the other pool opened in its place together.
     */
    private int inUse(String database) {
        return (int) bothUsers.processes(database).stream().filter(BackendActivity.Process::inUse).count();
    }

    /**
     * Runs clients while pg_stat_activity is sampled. First the clients of one pool alone, which leaves that pool
     * holding idle servers up to the cap; then the clients of both pools at once, so more clients than the cap want a
     * server and those of the other pool are served only if the first pool gives up an idle server. Each client runs
     * five short transactions. The cap must hold in every sample (counting servers in use, since a server the pool
     * closes may linger idle in pg_stat_activity for a moment), and every client must finish without an error.
     */
    private void assertCapHolds(int cap, Supplier<Integer> serversInUse, List<Login> onePool, List<Login> otherPool)
            throws Exception {
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicInteger highest = new AtomicInteger();
        Future<Integer> sampler = background.submit(() -> {
            int samples = 0;
            while (running.get()) {
                highest.accumulateAndGet(serversInUse.get(), Math::max);
                samples++;
            }
            return samples;
        });
        try {
            runClients(onePool);
            List<Login> everyone = new ArrayList<>(onePool);
            everyone.addAll(otherPool);
            runClients(everyone);
        } finally {
            running.set(false);
        }
        assertThat(sampler.get(SOON.toSeconds(), TimeUnit.SECONDS)).isPositive();
        assertThat(highest.get()).as("servers in use at once, most seen").isBetween(1, cap);
    }

    private void runClients(List<Login> logins) throws Exception {
        List<Future<Integer>> clients = new ArrayList<>();
        for (Login login : logins) {
            clients.add(background.submit(() -> {
                try (Connection client = connect(proxy, login.database(), login.user())) {
                    for (int i = 0; i < 5; i++) {
                        client.setAutoCommit(false);
                        scalar(client, "SELECT pg_sleep(0.2)::text");
                        client.commit();
                    }
                    return 5;
                }
            }));
        }
        try {
            for (Future<Integer> client : clients) {
                assertThat(client.get(60, TimeUnit.SECONDS)).as("every client finished its transactions").isEqualTo(5);
            }
        } catch (ExecutionException e) {
            if (e.getCause() instanceof SQLException sql) {
                throw new AssertionError("a client waiting for the cap failed: " + sql.getSQLState() + " "
                        + sql.getMessage(), sql);
            }
            throw e;
        }
    }
}
