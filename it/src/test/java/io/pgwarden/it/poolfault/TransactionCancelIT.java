package io.pgwarden.it.poolfault;

import static io.pgwarden.it.poolfault.PoolFixture.SOON;
import static io.pgwarden.it.poolfault.PoolFixture.connect;
import static io.pgwarden.it.poolfault.PoolFixture.errorOf;
import static io.pgwarden.it.poolfault.PoolFixture.scalar;
import static io.pgwarden.it.poolfault.PoolFixture.valueOf;
import static org.assertj.core.api.Assertions.assertThat;

import io.pgwarden.testkit.CancelRequest;
import io.pgwarden.testkit.EmbeddedPostgres;
import io.pgwarden.testkit.EmbeddedPostgresExtension;
import io.pgwarden.testkit.RawMessage;
import io.pgwarden.testkit.RawSession;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.postgresql.util.ServerErrorMessage;

/**
 * Cancel in transaction mode: the proxy gives each client a key of its own, and a CancelRequest with that key
 * reaches the server that runs the client's statement at that moment. A cancel for a client that runs nothing
 * stops nothing, not even the statement of another client running on the server the idle client used last.
 */
class TransactionCancelIT extends PoolFaultTest {

    @RegisterExtension
    static final EmbeddedPostgresExtension PG = EmbeddedPostgresExtension.with(PoolFixture::server);


    @Override
    EmbeddedPostgres postgres() {
        return PG.server();
    }

    @Test
    void pgjdbcCancelStopsTheClientsStatementAndNoOtherClients() throws Exception {
        proxy = PoolFixture.proxy(PG.server(), "mode: transaction, size: 2");
        try (Connection canceller = connect(proxy); Connection neighbour = connect(proxy);
             Connection third = connect(proxy); Statement sleeping = canceller.createStatement()) {
            Future<String> neighbourSleep = background.submit(() -> scalar(neighbour, "SELECT pg_sleep(4)::text || 'n'"));
            Future<String> cancelled = background.submit(() -> {
                try (ResultSet rs = sleeping.executeQuery("SELECT pg_sleep(30)::text")) {
                    rs.next();
                    return rs.getString(1);
                }
            });
            int target = activity.awaitRunning("pg_sleep(30)", SOON).pid();
            activity.awaitRunning("pg_sleep(4)", SOON);

            sleeping.cancel();

            ServerErrorMessage error = errorOf(cancelled);
            assertThat(error.getSQLState()).as(error.toString()).isEqualTo("57014");
            assertThat(valueOf(neighbourSleep)).as("the other client's statement ran to its end").isEqualTo("n");
            assertThat(activity.process(target)).as("the cancelled server lives on").isNotNull();
            assertThat(scalar(canceller, "SELECT 'after the cancel'")).isEqualTo("after the cancel");
            assertThat(scalar(third, "SELECT 'third'")).isEqualTo("third");
        }
    }

    @Test
    void cancelOfAnIdleClientStopsNothingEvenOnTheServerItUsedLast() throws Exception {
        proxy = PoolFixture.proxy(PG.server(), "mode: transaction, size: 1, query_wait_timeout: 20s");
        try (RawSession idle = PoolFixture.raw(proxy); Connection busy = connect(proxy)) {
            int shared = Integer.parseInt(idle.value("SELECT pg_backend_pid()"));

            Future<String> running = background.submit(() -> scalar(busy, "SELECT pg_sleep(4)::text || 'done'"));
            assertThat(activity.awaitRunning("pg_sleep(4)", SOON).pid())
                    .as("the pool's one server, which the idle client used last").isEqualTo(shared);

            idle.cancelRequest().sendTo(proxy.host(), proxy.port(), SOON);

            assertThat(valueOf(running)).as("another client's statement is not cancelled").isEqualTo("done");
            assertThat(idle.value("SELECT 'idle client next'")).isEqualTo("idle client next");
            assertThat(idle.value("SELECT pg_sleep(0.5)::text || 'later'"))
                    .as("the cancel is not kept for a later statement").isEqualTo("later");
            assertThat(scalar(busy, "SELECT 'busy client next'")).isEqualTo("busy client next");
        }
    }

    @Test
    void cancelWithAKeyTheProxyNeverGaveStopsNothing() throws Exception {
        proxy = PoolFixture.proxy(PG.server(), "mode: transaction, size: 1, query_wait_timeout: 20s");
        try (RawSession client = PoolFixture.raw(proxy)) {
            CancelRequest key = client.cancelRequest();
            byte[] wrong = key.secretKey();
            wrong[0] ^= 1;
            client.client().sendQuery("SELECT pg_sleep(4)::text || 'done'");
            activity.awaitRunning("pg_sleep(4)", SOON);

            new CancelRequest(key.processId(), wrong).sendTo(proxy.host(), proxy.port(), SOON);

            List<RawMessage> result = client.client().readUntilReadyForQuery();
            assertThat(result).as("the statement ran to its end").noneMatch(message -> message.type() == 'E');
            assertThat(result.stream().filter(message -> message.type() == 'D').map(RawSession::firstColumn))
                    .containsExactly("done");
        }
    }
}
