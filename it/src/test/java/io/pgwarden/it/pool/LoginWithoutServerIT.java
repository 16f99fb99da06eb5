package io.pgwarden.it.pool;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgwarden.testkit.ProxyFixture;
import java.sql.Connection;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;

/**
 * A client logs in while every server of its pool is busy: it gets the ParameterStatus values a
 * server would send, in the server's spelling, and waits for a server only with its first
 * statement, as with PgBouncer.
 */
class LoginWithoutServerIT {

    private static PoolBackend backend;
    private static ProxyFixture proxy;

    @BeforeAll
    static void start() {
        backend = PoolBackend.start();
        proxy = backend.startProxy("{ mode: session, size: 1, query_wait_timeout: 30s }", "");
    }

    @AfterAll
    static void stop() {
        if (backend != null) {
            backend.close();
        }
    }

    @Test
    void aClientLogsInWhileTheOnlyServerIsHeldAndGetsItWhenItIsFree() throws Exception {
        Connection holder = PoolBackend.connect(proxy, "assumeMinServerVersion=9.0");
        int heldServer = PoolBackend.backendPid(holder);
        Map<String, String> holderSees = holder.unwrap(PGConnection.class).getParameterStatuses();

        // The login must not need the server the holder keeps (session mode): it completes at once.
        CompletableFuture<Connection> login = CompletableFuture.supplyAsync(() -> {
            try {
                return PoolBackend.connect(proxy, "assumeMinServerVersion=9.0&loginTimeout=5");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        Connection waiter = login.get(10, TimeUnit.SECONDS);
        try {
            assertThat(waiter.unwrap(PGConnection.class).getParameterStatuses())
                    .as("the values a server reports, spelt as the server spells them")
                    .isEqualTo(holderSees);

            CompletableFuture<Integer> firstStatement = CompletableFuture.supplyAsync(() -> {
                try {
                    return PoolBackend.backendPid(waiter);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            Thread.sleep(500);
            assertThat(firstStatement).as("the first statement waits for the held server").isNotDone();
            holder.close();
            assertThat(firstStatement.get(10, TimeUnit.SECONDS)).as("it gets the server the holder gave back")
                    .isEqualTo(heldServer);
            assertThat(PoolBackend.scalar(waiter, "SELECT current_setting('DateStyle')"))
                    .isEqualTo(holderSees.get("DateStyle"));
        } finally {
            waiter.close();
            holder.close();
        }
    }
}
