package io.pgwarden.it.pool;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgwarden.testkit.EmbeddedPostgres;
import io.pgwarden.testkit.LeakCheckExtension;
import io.pgwarden.testkit.ProxyFixture;
import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Named prepared statements in transaction mode: 200 pgjdbc clients on 5 server connections, statement names that
 * collide between clients on one server, Close, DEALLOCATE, DISCARD ALL, and eviction from a small statement cache.
 */
@ExtendWith(LeakCheckExtension.class)
class TransactionPoolPreparedStatementsIT {

    private static final int CLIENTS = 200;
    private static final int POOL_SIZE = 5;
    private static final int TRANSACTIONS = 4;
    /** Every statement is named from its first execution; results come back in binary where pgjdbc can. */
    private static final String PREPARED = "prepareThreshold=1&binaryTransfer=true";
    /** The database of the smaller pools' clients. */
    private static final String ELSEWHERE = "postgres";

    private static PoolBackend backend;
    private static ProxyFixture proxy;
    /**
     * One server for everyone, so that statements of different clients meet on it. Its clients use database
     * {@value #ELSEWHERE}, so its server is not counted with the 200 clients' servers.
     */
    private static ProxyFixture single;

    @BeforeAll
    static void start() {
        // Every connection PostgreSQL accepts is logged, so the test can count the proxy's logins, not just samples.
        backend = PoolBackend.start(EmbeddedPostgres.builder().setting("log_connections", "on"));
        backend.postgres().execute(PoolBackend.DATABASE, "CREATE TABLE ledger (client int NOT NULL, tx int NOT NULL, "
                + "amount numeric(12,2) NOT NULL, payload bytea NOT NULL, PRIMARY KEY (client, tx))");
        proxy = backend.startProxy("{ mode: transaction, size: %d }".formatted(POOL_SIZE), "");
        single = backend.startProxy("{ mode: transaction, size: 1 }", "");
    }

    @AfterAll
    static void stop() {
        if (backend != null) {
            backend.close();
        }
    }

    @Test
    void twoHundredPgjdbcClientsWithNamedStatementsShareFiveServersAndGetExactResults() throws Exception {
        long loginsBefore = backend.serverLogins();
        Set<Integer> pids = ConcurrentHashMap.newKeySet();
        CountDownLatch allConnected = new CountDownLatch(CLIENTS);
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicInteger peakServers = new AtomicInteger();
        AtomicInteger peakInPoolStats = new AtomicInteger();
        ExecutorService threads = Executors.newFixedThreadPool(CLIENTS + 1);
        try {
            Future<?> sampler = threads.submit(() -> sampleServerConnections(running, peakServers, peakInPoolStats));
            List<Future<?>> clients = new ArrayList<>();
            for (int client = 0; client < CLIENTS; client++) {
                int id = client;
                clients.add(threads.submit(() -> {
                    Connection login;
                    try {
                        login = PoolBackend.connect(proxy, PREPARED);
                    } finally {
                        allConnected.countDown();
                    }
                    try (Connection connection = login) {
                        // Every client is logged in before any runs, so all 200 sessions exist at once.
                        assertThat(allConnected.await(120, TimeUnit.SECONDS)).as("all clients connected").isTrue();
                        LedgerClient ledger = new LedgerClient(connection, id);
                        for (int tx = 0; tx < TRANSACTIONS; tx++) {
                            pids.add(ledger.transaction(tx));
                        }
                    }
                    return null;
                }));
            }
            List<Throwable> failures = new ArrayList<>();
            for (Future<?> client : clients) {
                try {
                    client.get(300, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    failures.add(e.getCause());
                }
            }
            running.set(false);
            sampler.get(30, TimeUnit.SECONDS);
            assertThat(failures).as("clients that failed (first: %s)", failures.isEmpty() ? "none" : failures.get(0))
                    .isEmpty();
        } finally {
            running.set(false);
            threads.shutdownNow();
            assertThat(threads.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(pids).as("server connections the 200 clients ran on").hasSizeBetween(1, POOL_SIZE);
        assertThat(peakServers.get()).as("server connections PostgreSQL saw from the proxy at once")
                .isBetween(1, POOL_SIZE);
        assertThat(peakInPoolStats.get()).as("server connections in the proxy's pool statistics at once")
                .isBetween(1, POOL_SIZE);
        assertThat(backend.serverConnections()).isLessThanOrEqualTo(POOL_SIZE);
        assertThat(backend.serverLogins() - loginsBefore).as("connections PostgreSQL accepted from the proxy")
                .isBetween(1L, (long) POOL_SIZE);
        try (Connection direct = backend.postgres().superuserConnection(PoolBackend.DATABASE)) {
            assertThat(PoolBackend.scalar(direct, "SELECT count(*) FROM ledger"))
                    .isEqualTo(String.valueOf(CLIENTS * TRANSACTIONS));
            assertThat(PoolBackend.scalar(direct, "SELECT count(DISTINCT client) FROM ledger"))
                    .isEqualTo(String.valueOf(CLIENTS));
        }
    }

    private static Void sampleServerConnections(AtomicBoolean running, AtomicInteger peak, AtomicInteger proxyPeak)
            throws Exception {
        try (Connection monitor = backend.postgres().superuserConnection()) {
            while (running.get()) {
                peak.accumulateAndGet(PoolBackend.serverConnections(monitor), Math::max);
                proxyPeak.accumulateAndGet(PoolBackend.proxyServerConnections(proxy), Math::max);
                Thread.sleep(5);
            }
        }
        return null;
    }

    @Test
    void pipelinedClientsOnOneServerUseTheSameStatementNameForDifferentStatements() throws Exception {
        try (RawSession x = openSingle(); RawSession y = openSingle()) {
            assertThat(backendPidOf(x)).as("one server for both").isEqualTo(backendPidOf(y));
            // Both Parse messages arrive before either Sync, as from clients that pipeline. The ParseComplete that
            // Flush brings shows x holds the server; y's Parse waits for x's Sync.
            x.parse("s1", "SELECT 1 + $1::int");
            x.flush();
            assertThat(x.next().type()).as("ParseComplete for x").isEqualTo('1');
            y.parse("s1", "SELECT 'y says ' || $1::text");
            RawSession.requireNoError(x.sync(), "x: Sync");
            RawSession.requireNoError(y.sync(), "y: Parse s1");

            assertThat(RawSession.firstRow(x.executePrepared("s1", "41"), "x: s1")).containsExactly("42");
            assertThat(RawSession.firstRow(y.executePrepared("s1", "hello"), "y: s1")).containsExactly("y says hello");
            assertThat(RawSession.firstRow(x.executePrepared("s1", "1"), "x: s1 again")).containsExactly("2");
        }
    }

    @Test
    void closedStatementIsGoneForItsClientAndItsNameCanBeReused() throws Exception {
        try (RawSession x = openSingle(); RawSession y = openSingle()) {
            assertThat(backendPidOf(x)).as("one server for both").isEqualTo(backendPidOf(y));
            x.parse("s1", "SELECT 10 * $1::int");
            RawSession.requireNoError(x.sync(), "x: Parse s1");
            y.parse("s1", "SELECT 20 * $1::int");
            RawSession.requireNoError(y.sync(), "y: Parse s1");

            x.closeStatement("s1");
            assertThat(x.sync()).extracting(message -> message.type()).as("CloseComplete, ReadyForQuery")
                    .containsExactly('3', 'Z');
            assertThat(RawSession.error(x.executePrepared("s1", "1"))).as("x's s1 after Close").isNotNull()
                    .extracting(error -> error.sqlState()).isEqualTo("26000");

            x.parse("s1", "SELECT 'reused ' || $1::text");
            RawSession.requireNoError(x.sync(), "x: Parse s1 again");
            assertThat(RawSession.firstRow(x.executePrepared("s1", "name"), "x: new s1")).containsExactly("reused name");
            assertThat(RawSession.firstRow(y.executePrepared("s1", "2"), "y: s1")).as("y's s1 survives x's Close")
                    .containsExactly("40");
        }
    }

    @Test
    void sqlDeallocateOfAProtocolStatementDropsItForItsClientOnly() throws Exception {
        // Drivers that prepare with Parse and free with SQL DEALLOCATE (Rails' adapter does) name the client's statement.
        try (RawSession x = openSingle(); RawSession y = openSingle()) {
            assertThat(backendPidOf(x)).as("one server for both").isEqualTo(backendPidOf(y));
            x.parse("s1", "SELECT 3 * $1::int");
            x.parse("s2", "SELECT 4 * $1::int");
            RawSession.requireNoError(x.sync(), "x: Parse");
            y.parse("s2", "SELECT 5 * $1::int");
            RawSession.requireNoError(y.sync(), "y: Parse");

            x.run("DEALLOCATE s2");
            assertThat(RawSession.error(x.executePrepared("s2", "1"))).as("x's s2 after DEALLOCATE s2").isNotNull()
                    .extracting(error -> error.sqlState()).isEqualTo("26000");
            assertThat(RawSession.firstRow(x.executePrepared("s1", "1"), "x: s1")).containsExactly("3");
            assertThat(RawSession.firstRow(y.executePrepared("s2", "1"), "y: s2")).as("y's s2 survives x's DEALLOCATE s2")
                    .containsExactly("5");
        }
    }

    @Test
    void deallocateAllDropsOnlyTheStatementsOfTheClientThatRunsIt() throws Exception {
        try (RawSession x = openSingle(); RawSession y = openSingle()) {
            assertThat(backendPidOf(x)).as("one server for both").isEqualTo(backendPidOf(y));
            x.parse("s1", "SELECT 3 * $1::int");
            RawSession.requireNoError(x.sync(), "x: Parse");
            y.parse("s1", "SELECT 5 * $1::int");
            RawSession.requireNoError(y.sync(), "y: Parse");

            x.run("DEALLOCATE ALL");
            assertThat(RawSession.error(x.executePrepared("s1", "1"))).as("x's s1 after DEALLOCATE ALL").isNotNull()
                    .extracting(error -> error.sqlState()).isEqualTo("26000");
            assertThat(RawSession.firstRow(y.executePrepared("s1", "1"), "y: s1")).as("y's s1 survives x's DEALLOCATE ALL")
                    .containsExactly("5");
            x.parse("s1", "SELECT 6 * $1::int");
            RawSession.requireNoError(x.sync(), "x: Parse s1 again");
            assertThat(RawSession.firstRow(x.executePrepared("s1", "1"), "x: new s1")).containsExactly("6");
        }
    }

    @Test
    void discardAllResetsOnlyTheClientThatRunsIt() throws Exception {
        String defaultTimeZone;
        try (RawSession direct = RawSession.open(backend.postgres().port(), Map.of())) {
            defaultTimeZone = direct.value("SELECT current_setting('TimeZone')");
        }
        try (RawSession x = openSingle(); RawSession y = openSingle()) {
            assertThat(backendPidOf(x)).as("one server for both").isEqualTo(backendPidOf(y));
            x.parse("s1", "SELECT 7 * $1::int");
            RawSession.requireNoError(x.sync(), "x: Parse");
            y.parse("s1", "SELECT 8 * $1::int");
            RawSession.requireNoError(y.sync(), "y: Parse");
            x.run("SET TimeZone = 'Pacific/Auckland'");
            y.run("SET TimeZone = 'America/Lima'");

            x.run("DISCARD ALL");
            assertThat(RawSession.error(x.executePrepared("s1", "1"))).as("x's s1 after DISCARD ALL").isNotNull()
                    .extracting(error -> error.sqlState()).isEqualTo("26000");
            assertThat(x.value("SELECT current_setting('TimeZone')")).as("x's TimeZone after DISCARD ALL")
                    .isEqualTo(defaultTimeZone);
            assertThat(RawSession.firstRow(y.executePrepared("s1", "1"), "y: s1")).as("y's s1 survives x's DISCARD ALL")
                    .containsExactly("8");
            assertThat(y.value("SELECT current_setting('TimeZone')")).as("y's TimeZone").isEqualTo("America/Lima");
        }
    }

    @Test
    void pgjdbcKeepsWorkingAfterItsOwnDeallocateAllAndDiscardAll() throws Exception {
        try (Connection connection = DriverManager.getConnection(PoolBackend.url(single, ELSEWHERE, PREPARED));
             Connection other = DriverManager.getConnection(PoolBackend.url(single, ELSEWHERE, PREPARED))) {
            assertThat(PoolBackend.backendPid(connection)).as("one server for both").isEqualTo(PoolBackend.backendPid(other));
            LedgerClient.assertSelects(connection, 1);
            LedgerClient.assertSelects(other, 2);
            runStatement(connection, "DEALLOCATE ALL");
            LedgerClient.assertSelects(connection, 3);
            LedgerClient.assertSelects(other, 4);
            runStatement(other, "DISCARD ALL");
            LedgerClient.assertSelects(connection, 5);
            LedgerClient.assertSelects(other, 6);
        }
    }

    /**
     * A plugin with onComplete (as audit has) makes the proxy read every CommandComplete: DEALLOCATE ALL and
     * DISCARD ALL must still tell the pool that the server's statements are gone, for the client that ran them and
     * for the one after it on the same server.
     */
    @Test
    void deallocateAllAndDiscardAllAreFollowedWithACompletionHookLoaded() throws Exception {
        try (ProxyFixture hooked = backend.startOwnProxy("{ mode: transaction, size: 1 }",
                "plugins: [ { type: test-spi14, role: recorder } ]");
             RawSession x = RawSession.open(hooked, Map.of("database", ELSEWHERE));
             RawSession y = RawSession.open(hooked, Map.of("database", ELSEWHERE))) {
            assertThat(backendPidOf(x)).as("one server for both").isEqualTo(backendPidOf(y));
            for (String reset : List.of("DEALLOCATE ALL", "DISCARD ALL")) {
                x.parse("s1", "SELECT 3 * $1::int");
                RawSession.requireNoError(x.sync(), "x: Parse before " + reset);
                y.parse("s1", "SELECT 5 * $1::int");
                RawSession.requireNoError(y.sync(), "y: Parse before " + reset);
                x.run(reset);
                assertThat(RawSession.error(x.executePrepared("s1", "1"))).as("x's s1 after " + reset).isNotNull()
                        .extracting(error -> error.sqlState()).isEqualTo("26000");
                assertThat(RawSession.firstRow(y.executePrepared("s1", "1"), "y: s1 after " + reset))
                        .as("y's s1 survives x's " + reset).containsExactly("5");
                x.parse("s1", "SELECT 6 * $1::int");
                RawSession.requireNoError(x.sync(), "x: Parse s1 again after " + reset);
                assertThat(RawSession.firstRow(x.executePrepared("s1", "1"), "x: new s1 after " + reset)).containsExactly("6");
                x.closeStatement("s1");
                RawSession.requireNoError(x.sync(), "x: Close s1 after " + reset);
                y.closeStatement("s1");
                RawSession.requireNoError(y.sync(), "y: Close s1 after " + reset);
            }
        }
    }

    @Test
    void statementsEvictedFromASmallCacheArePreparedAgainTransparently() throws Exception {
        try (ProxyFixture smallCache = backend.startOwnProxy("{ mode: transaction, size: 1, max_prepared_statements: 2 }", "");
             Connection connection = DriverManager.getConnection(PoolBackend.url(smallCache, ELSEWHERE, PREPARED));
             RawSession observer = RawSession.open(smallCache, Map.of("database", ELSEWHERE))) {
            for (int round = 0; round < 4; round++) {
                connection.setAutoCommit(round % 2 == 0);
                for (int statement = 1; statement <= 5; statement++) {
                    try (PreparedStatement prepared = connection.prepareStatement(
                            "SELECT ?::int8 * " + statement + ", 'statement " + statement + "'")) {
                        prepared.setLong(1, round * 1000L + statement);
                        try (ResultSet rs = prepared.executeQuery()) {
                            assertThat(rs.next()).isTrue();
                            assertThat(rs.getLong(1)).isEqualTo((round * 1000L + statement) * statement);
                            assertThat(rs.getString(2)).isEqualTo("statement " + statement);
                        }
                    }
                }
                if (!connection.getAutoCommit()) {
                    connection.commit();
                }
            }
            connection.setAutoCommit(true);
            // A simple query creates no prepared statement; on the pool's only server it sees the server's cache.
            assertThat(Integer.parseInt(observer.value("SELECT count(*) FROM pg_prepared_statements")))
                    .as("named statements on the server with max_prepared_statements: 2").isBetween(1, 2);
        }
    }

    private static RawSession openSingle() throws IOException {
        return RawSession.open(single, Map.of("database", ELSEWHERE));
    }

    private static int backendPidOf(RawSession session) throws IOException {
        return Integer.parseInt(session.value("SELECT pg_backend_pid()"));
    }

    private static void runStatement(Connection connection, String sql) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }
}
