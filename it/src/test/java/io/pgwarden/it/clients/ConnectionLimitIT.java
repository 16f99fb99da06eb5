package io.pgwarden.it.clients;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.pgwarden.testkit.EmbeddedPostgres;
import io.pgwarden.testkit.LeakCheckExtension;
import java.sql.Connection;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.postgresql.util.PSQLException;

/** {@code limits.max_client_connections} refuses the client over the limit the way PostgreSQL does. */
@ExtendWith(LeakCheckExtension.class)
class ConnectionLimitIT {

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
