package io.pgwarden.it.poolfault;

import static io.pgwarden.it.poolfault.PoolFixture.DATABASE;
import static io.pgwarden.it.poolfault.PoolFixture.SOON;
import static io.pgwarden.it.poolfault.PoolFixture.USER;
import static io.pgwarden.it.poolfault.PoolFixture.connect;
import static io.pgwarden.it.poolfault.PoolFixture.scalar;
import static io.pgwarden.it.poolfault.PoolFixture.serverPid;
import static io.pgwarden.it.poolfault.PoolFixture.valueOf;
import static org.assertj.core.api.Assertions.assertThat;

import io.pgwarden.testkit.BackendActivity;
import io.pgwarden.testkit.EmbeddedPostgres;
import io.pgwarden.testkit.EmbeddedPostgresExtension;
import io.pgwarden.testkit.RawSession;
import java.sql.Connection;
import java.sql.Statement;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A client leaves in the middle of its work: inside a transaction with an uncommitted INSERT and a row lock, by
 * closing its socket or by a pgjdbc close without commit (in transaction and in session mode), or while a long
 * statement runs. With a pool of one
 * server the next client must get a server with nothing of that left: no uncommitted row, no lock, not idle in
 * transaction, and a busy server is closed rather than waited for.
 */
class ClientGoneIT extends PoolFaultTest {

    @RegisterExtension
    static final EmbeddedPostgresExtension PG = EmbeddedPostgresExtension.with(PoolFixture::server);

    private static final String POOL = "mode: %s, size: 1, query_wait_timeout: 15s";


    @Override
    EmbeddedPostgres postgres() {
        return PG.server();
    }

    @BeforeEach
    void createItems() {
        PG.server().execute(DATABASE, "DROP TABLE IF EXISTS gone_items",
                "CREATE TABLE gone_items (id int PRIMARY KEY, note text)",
                "INSERT INTO gone_items VALUES (1, 'original')",
                "GRANT ALL ON gone_items TO " + USER);
    }

    private void startProxy(String mode) {
        proxy = PoolFixture.proxy(PG.server(), POOL.formatted(mode));
    }

    @ParameterizedTest(name = "{0} mode")
    @ValueSource(strings = {"transaction", "session"})
    void socketClosedInsideATransactionHandsTheNextClientTheRolledBackServer(String mode) throws Exception {
        startProxy(mode);
        int pid;
        try (RawSession leaving = PoolFixture.raw(proxy)) {
            leaving.query("BEGIN");
            leaving.query("INSERT INTO gone_items VALUES (2, 'uncommitted')");
            leaving.query("SELECT note FROM gone_items WHERE id = 1 FOR UPDATE");
            pid = Integer.parseInt(leaving.value("SELECT pg_backend_pid()"));
            assertThat(activity.process(pid).state()).isEqualTo("idle in transaction");
        }
        assertNextClientGetsTheServerClean(pid);
    }

    @ParameterizedTest(name = "{0} mode")
    @ValueSource(strings = {"transaction", "session"})
    void pgjdbcClosedWithoutCommitHandsTheNextClientTheRolledBackServer(String mode) throws Exception {
        startProxy(mode);
        int pid;
        try (Connection leaving = connect(proxy); Statement statement = leaving.createStatement()) {
            leaving.setAutoCommit(false);
            statement.execute("INSERT INTO gone_items VALUES (2, 'uncommitted')");
            statement.execute("SELECT note FROM gone_items WHERE id = 1 FOR UPDATE");
            pid = serverPid(leaving);
            assertThat(activity.process(pid).state()).isEqualTo("idle in transaction");
        }
        assertNextClientGetsTheServerClean(pid);
    }

    @Test
    void abandonedTransactionReleasesItsRowLockWithoutWaitingForAnotherClient() throws Exception {
        startProxy("transaction");
        int pid;
        try (RawSession leaving = PoolFixture.raw(proxy)) {
            leaving.query("BEGIN");
            leaving.query("UPDATE gone_items SET note = 'abandoned' WHERE id = 1");
            pid = Integer.parseInt(leaving.value("SELECT pg_backend_pid()"));
        }
        // No client of the pool comes along: the lock must go anyway, or another application stays blocked.
        try (Connection direct = PG.server().superuserConnection(DATABASE);
             Statement statement = direct.createStatement()) {
            statement.execute("SET lock_timeout = '" + SOON.toMillis() + "ms'");
            assertThat(statement.executeUpdate("UPDATE gone_items SET note = 'direct' WHERE id = 1"))
                    .as("the abandoned transaction's row lock is released").isEqualTo(1);
            assertThat(scalar(direct, "SELECT note FROM gone_items WHERE id = 1")).isEqualTo("direct");
        }
        BackendActivity.Process server = activity.process(pid);
        if (server != null) {
            assertThat(server.state()).as("the server kept in the pool").isEqualTo("idle");
        }
    }

    @Test
    void clientGoneDuringALongQueryDoesNotHoldUpTheNextClient() throws Exception {
        startProxy("transaction");
        int busy;
        try (RawSession leaving = PoolFixture.raw(proxy)) {
            leaving.client().sendQuery("SELECT pg_sleep(30)");
            busy = activity.awaitRunning("pg_sleep(30)", SOON).pid();
        }
        int next = valueOf(background.submit(() -> {
            try (Connection client = connect(proxy)) {
                return serverPid(client);
            }
        }));
        assertThat(next).as("the busy server is not reused").isNotEqualTo(busy);
        // The server still sleeping was closed by the proxy: PostgreSQL notices the closed socket
        // (client_connection_check_interval) and ends the process long before pg_sleep(30) would.
        activity.awaitGone(busy, SOON);
        assertThat(activity.processes()).extracting(BackendActivity.Process::pid).containsExactly(next);
        PoolFixture.awaitPool(proxy, "the next client's server back in the pool, and nothing else",
                pool -> pool.idle() == 1 && pool.active() == 0 && pool.opening() == 0 && pool.waiting() == 0);
    }

    @Test
    void clientGoneWhileWaitingForAServerIsForgottenByThePool() throws Exception {
        startProxy("transaction");
        try (Connection holder = connect(proxy)) {
            int server;
            // Logged in before the holder takes the pool's one server, so that it waits for its query, not its login.
            try (RawSession waiting = PoolFixture.raw(proxy)) {
                holder.setAutoCommit(false);
                server = serverPid(holder);
                waiting.client().sendQuery("SELECT 'never served'");
                PoolFixture.awaitPool(proxy, "a client waiting", pool -> pool.waiting() == 1);
            }
            holder.commit();
            holder.setAutoCommit(true);

            int next = valueOf(background.submit(() -> {
                try (Connection client = connect(proxy)) {
                    return serverPid(client);
                }
            }));
            assertThat(next).as("the one server went to the next client, not to the one that left").isEqualTo(server);
            assertThat(PoolFixture.awaitPoolsMatch(proxy, activity)).singleElement()
                    .satisfies(pool -> assertThat(pool.waiting()).isZero());
        }
    }

    /**
     * With a pool of one, the next client finds nothing of the leaver: the uncommitted row is not there, the locked
     * row can be locked again, its own work commits. And it got the very server the leaver held, rolled back rather
     * than closed (checked last, so that a pool that closes instead fails on that alone), idle afterwards.
     */
    private void assertNextClientGetsTheServerClean(int pid) throws Exception {
        int nextPid = valueOf(background.submit(() -> {
            try (Connection next = connect(proxy); Statement statement = next.createStatement()) {
                next.setAutoCommit(false);
                assertThat(scalar(next, "SELECT count(*) FROM gone_items WHERE id = 2"))
                        .as("the leaver's INSERT was not committed").isEqualTo("0");
                assertThat(scalar(next, "SELECT note FROM gone_items WHERE id = 1 FOR UPDATE NOWAIT"))
                        .as("the leaver's row lock is free").isEqualTo("original");
                statement.execute("INSERT INTO gone_items VALUES (2, 'from the next client')");
                int server = serverPid(next);
                next.commit();
                return server;
            }
        }));
        try (Connection direct = PG.server().superuserConnection(DATABASE)) {
            assertThat(scalar(direct, "SELECT string_agg(id || ':' || note, ',' ORDER BY id) FROM gone_items"))
                    .isEqualTo("1:original,2:from the next client");
        }
        assertThat(nextPid).as("the pool's only server, rolled back and reused rather than closed").isEqualTo(pid);
        activity.await("pid " + pid + " idle in the pool after the next client", SOON, processes -> processes.stream()
                .anyMatch(process -> process.pid() == pid && "idle".equals(process.state())));
    }
}
