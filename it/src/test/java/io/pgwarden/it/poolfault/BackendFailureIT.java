package io.pgwarden.it.poolfault;

import static io.pgwarden.it.poolfault.PoolFixture.DATABASE;
import static io.pgwarden.it.poolfault.PoolFixture.SOON;
import static io.pgwarden.it.poolfault.PoolFixture.USER;
import static io.pgwarden.it.poolfault.PoolFixture.awaitPoolsMatch;
import static io.pgwarden.it.poolfault.PoolFixture.connect;
import static io.pgwarden.it.poolfault.PoolFixture.errorOf;
import static io.pgwarden.it.poolfault.PoolFixture.scalar;
import static io.pgwarden.it.poolfault.PoolFixture.serverPid;
import static io.pgwarden.it.poolfault.PoolFixture.valueOf;
import static org.assertj.core.api.Assertions.assertThat;

import io.pgwarden.testkit.BackendActivity;
import io.pgwarden.testkit.EmbeddedPostgres;
import io.pgwarden.testkit.EmbeddedPostgresExtension;
import io.pgwarden.testkit.FaultRelay;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

/**
 * The backend fails under a pool: a server process is terminated while its client is inside a transaction or
 * running a statement, or every connection to the backend is cut and the backend stays unreachable for a while.
 * The client that lost its server gets an ErrorResponse, never a hang; the other clients keep working; the dead
 * servers never reach another client; and the pool fills again without a restart of the proxy.
 */
class BackendFailureIT extends PoolFaultTest {

    @RegisterExtension
    static final EmbeddedPostgresExtension PG = EmbeddedPostgresExtension.with(PoolFixture::server);


    @Override
    EmbeddedPostgres postgres() {
        return PG.server();
    }

    @ParameterizedTest(name = "{0} mode")
    @ValueSource(strings = {"transaction", "session"})
    void clientWhoseServerIsTerminatedInsideATransactionGetsAnErrorAndThePoolRefills(String mode) throws Exception {
        proxy = PoolFixture.proxy(PG.server(), "mode: " + mode + ", size: 2, query_wait_timeout: 5s");
        try (Connection victim = connect(proxy); Connection bystander = connect(proxy)) {
            assertThat(scalar(bystander, "SELECT 1")).isEqualTo("1");
            victim.setAutoCommit(false);
            int killed = serverPid(victim);

            activity.terminate(killed, SOON);

            ServerErrorMessage error = errorOf(background.submit(() -> scalar(victim, "SELECT 'after the kill'")));
            assertThat(error.getSQLState()).as(error.toString()).isIn("08006", "57P01");
            assertThat(error.getSeverity()).isEqualTo("FATAL");
            assertThat(victim.isValid(2)).as("the victim's connection is closed").isFalse();

            assertThat(scalar(bystander, "SELECT 2")).as("another client of the same pool").isEqualTo("2");
            awaitPoolsMatch(proxy, activity);
            assertPoolServesTwoTransactionsAtOnceWithout(killed, bystander);
        }
    }

    @ParameterizedTest(name = "{0} mode")
    @ValueSource(strings = {"transaction", "session"})
    void clientWhoseServerIsTerminatedMidQueryGetsAnErrorInsteadOfWaitingForTheQuery(String mode) throws Exception {
        proxy = PoolFixture.proxy(PG.server(), "mode: " + mode + ", size: 2, query_wait_timeout: 5s");
        try (Connection victim = connect(proxy); Connection bystander = connect(proxy)) {
            Future<String> sleeping = background.submit(() -> scalar(victim, "SELECT pg_sleep(30)::text"));
            int killed = activity.awaitRunning("pg_sleep(30)", SOON).pid();

            activity.terminate(killed, SOON);

            ServerErrorMessage error = errorOf(sleeping);
            assertThat(error.getSQLState()).as(error.toString()).isIn("08006", "57P01");
            assertThat(error.getSeverity()).isEqualTo("FATAL");
            assertThat(scalar(bystander, "SELECT 2")).as("another client of the same pool").isEqualTo("2");
            assertPoolServesTwoTransactionsAtOnceWithout(killed, bystander);
        }
    }

    @Test
    void idleServerTerminatedInThePoolIsNeverHandedToAClient() throws Exception {
        proxy = PoolFixture.proxy(PG.server(), "mode: transaction, size: 2, query_wait_timeout: 5s");
        try (Connection first = connect(proxy); Connection second = connect(proxy)) {
            first.setAutoCommit(false);
            second.setAutoCommit(false);
            int one = serverPid(first);
            int two = serverPid(second);
            first.commit();
            second.commit();
            // Both servers are back in the pool, idle; the backend ends them while no client holds them.
            activity.terminate(one, SOON);
            activity.terminate(two, SOON);
            assertThat(awaitPoolsMatch(proxy, activity)).as("the dead idle servers left the pool")
                    .allSatisfy(pool -> assertThat(pool.idle() + pool.active()).isZero());

            first.setAutoCommit(true);
            second.setAutoCommit(true);
            for (int i = 0; i < 4; i++) {
                Connection client = i % 2 == 0 ? first : second;
                assertThat(valueOf(background.submit(() -> serverPid(client))))
                        .as("a statement after the pool's servers died").isNotIn(one, two);
            }
            assertThat(activity.processes()).hasSizeLessThanOrEqualTo(2);
        }
    }

    @Test
    void terminatedServerOfAPoolWithMinSizeIsReplaced() throws Exception {
        proxy = PoolFixture.proxy(PG.server().host(), PG.server().port(), "mode: transaction, size: 4, min_size: 2",
                "- { database: prewarmed, method: trust, login: { user: " + USER + ", database: " + DATABASE + " } }",
                "");
        // The pool exists from its first client on at the latest (PoolLimitsIT checks it is pre-warmed before).
        try (Connection first = connect(proxy, "prewarmed", "anyone")) {
            assertThat(scalar(first, "SELECT current_user")).isEqualTo(USER);
        }
        List<BackendActivity.Process> warm = activity.await("two servers kept for min_size", SOON,
                processes -> processes.size() == 2);

        activity.terminate(warm.get(0).pid(), SOON);

        activity.await("the pool back at min_size with a new server", SOON, processes -> processes.size() == 2
                && processes.stream().noneMatch(p -> p.pid() == warm.get(0).pid()));
    }

    @Test
    void cutBackendGivesErrorsNotHangsAndThePoolRecoversWhenItIsBack() throws Exception {
        try (FaultRelay relay = FaultRelay.start(PG.server().host(), PG.server().port())) {
            // A short connect_timeout: while the backend is unreachable, opening a server must fail well within SOON.
            proxy = PoolFixture.proxy(relay.host(), relay.port(), "mode: transaction, size: 3, query_wait_timeout: 5s",
                    "- { method: trust }", "", Duration.ofSeconds(3));
            try (Connection inTransaction = connect(proxy); Connection running = connect(proxy);
                 Connection betweenTransactions = connect(proxy)) {
                inTransaction.setAutoCommit(false);
                assertThat(scalar(inTransaction, "SELECT 1")).isEqualTo("1");
                assertThat(scalar(betweenTransactions, "SELECT 1")).isEqualTo("1");
                Future<String> sleeping = background.submit(() -> scalar(running, "SELECT pg_sleep(30)::text"));
                activity.awaitRunning("pg_sleep(30)", SOON);

                relay.cutAll();

                assertServerGone(errorOf(sleeping));
                assertServerGone(errorOf(background.submit(() -> scalar(inTransaction, "SELECT 'inside'"))));
                assertThat(valueOf(background.submit(() -> scalar(betweenTransactions, "SELECT 'between'"))))
                        .as("a client that held no server when the backend went away gets a new one")
                        .isEqualTo("between");

                // The backend becomes unreachable: connections to it open but nothing ever answers.
                relay.stall();
                relay.cutAll();
                ServerErrorMessage whileDown = errorOf(background.submit(() -> {
                    try (Connection late = connect(proxy)) {
                        return scalar(late, "SELECT 'while down'");
                    }
                }));
                // 08001 when the login itself needs a server, 08006 when acquiring one fails, 53300 when the wait ends first.
                assertThat(whileDown.getSQLState()).as(whileDown.toString()).isIn("08001", "08006", "53300");
                assertThat(whileDown.getSeverity()).isEqualTo("FATAL");

                relay.clearFaults();
                relay.cutAll();
                String afterwards = valueOf(background.submit(() -> {
                    try (Connection fresh = connect(proxy)) {
                        return scalar(fresh, "SELECT 'back'");
                    }
                }));
                assertThat(afterwards).isEqualTo("back");
                assertPoolServesTwoTransactionsAtOnceWithout(-1, betweenTransactions);
            }
        }
    }

    @Test
    void backendCrashRestartEndsEveryServerAndThePoolRefillsOnceItIsBack() throws Exception {
        proxy = PoolFixture.proxy(PG.server(), "mode: transaction, size: 3, query_wait_timeout: 5s");
        try (Connection crashing = connect(proxy); Connection inTransaction = connect(proxy);
             Connection betweenTransactions = connect(proxy)) {
            crashing.setAutoCommit(false);
            inTransaction.setAutoCommit(false);
            int killed = serverPid(crashing);
            int other = serverPid(inTransaction);
            assertThat(scalar(betweenTransactions, "SELECT 1")).isEqualTo("1");

            // SIGKILL of one server process: PostgreSQL ends every connection and restarts on the same port.
            activity.crash(killed);
            activity.awaitExited(other, SOON);

            assertServerGone(errorOf(background.submit(() -> scalar(crashing, "SELECT 'after the crash'"))));
            ServerErrorMessage ended = errorOf(background.submit(() -> scalar(inTransaction, "SELECT 'ended'")));
            assertThat(ended.getSQLState()).as(ended.toString()).isIn("08006", "57P02");
            assertThat(ended.getSeverity()).isEqualTo("FATAL");

            // While PostgreSQL recovers it refuses logins: a client then is served or refused, never left hanging.
            Future<String> duringRecovery = background.submit(() -> {
                try (Connection early = connect(proxy)) {
                    return scalar(early, "SELECT 'during recovery'");
                }
            });
            try {
                assertThat(valueOf(duringRecovery)).isEqualTo("during recovery");
            } catch (ExecutionException refused) {
                assertThat(refused.getCause()).isInstanceOf(PSQLException.class);
                ServerErrorMessage error = ((PSQLException) refused.getCause()).getServerErrorMessage();
                assertThat(error).as("an ErrorResponse, not a dropped connection: " + refused.getCause()).isNotNull();
                assertThat(error.getSeverity()).isEqualTo("FATAL");
                assertThat(error.getSQLState()).as(error.toString()).isIn("08001", "08006", "57P03", "53300");
            }

            activity.awaitAcceptingConnections(Duration.ofSeconds(30));
            assertThat(valueOf(background.submit(() -> scalar(betweenTransactions, "SELECT 'after the restart'"))))
                    .as("a client that held no server during the crash").isEqualTo("after the restart");
            assertPoolServesTwoTransactionsAtOnceWithout(killed, betweenTransactions);
            assertThat(activity.processes()).extracting(BackendActivity.Process::pid).doesNotContain(killed, other);
        }
    }

    private static void assertServerGone(ServerErrorMessage error) {
        assertThat(error.getSQLState()).as(error.toString()).isEqualTo("08006");
        assertThat(error.getSeverity()).isEqualTo("FATAL");
        assertThat(error.getMessage()).startsWith("server closed the connection unexpectedly");
    }

    /**
     * Two transactions open at once on live servers (the pool has room for both), neither on the dead server,
     * repeated so that every server the pool holds is used.
     */
    private void assertPoolServesTwoTransactionsAtOnceWithout(int deadPid, Connection existing) throws Exception {
        try (Connection other = connect(proxy)) {
            List<Integer> seen = new ArrayList<>();
            for (int round = 0; round < 3; round++) {
                existing.setAutoCommit(false);
                other.setAutoCommit(false);
                int a = valueOf(background.submit(() -> serverPid(existing)));
                int b = valueOf(background.submit(() -> serverPid(other)));
                assertThat(a).as("two transactions at once use two servers").isNotEqualTo(b);
                seen.add(a);
                seen.add(b);
                existing.commit();
                other.commit();
            }
            existing.setAutoCommit(true);
            assertThat(seen).doesNotContain(deadPid);
        } catch (SQLException e) {
            throw new AssertionError("the pool did not recover: " + e.getMessage(), e);
        }
    }
}
