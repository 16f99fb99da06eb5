package io.pgwarden.it.pool;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgwarden.testkit.LeakCheckExtension;
import io.pgwarden.testkit.ProxyFixture;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Session mode: a server goes to the next client only after {@code server_reset_query}, and a server whose reset
 * fails is closed. Pools of one server, so that the next client gets the previous client's server if any.
 */
@ExtendWith(LeakCheckExtension.class)
class SessionPoolResetIT {

    private static PoolBackend backend;
    private static ProxyFixture discardAll;
    private static ProxyFixture failingReset;
    private static ProxyFixture withSessionRole;

    @BeforeAll
    static void start() {
        backend = PoolBackend.start();
        discardAll = backend.startProxy("{ mode: session, size: 1 }", "");
        failingReset = backend.startProxy("{ mode: session, size: 1, server_reset_query: \"SELECT 1/0\" }", "");
        backend.postgres().execute("postgres", "CREATE ROLE pool_reader");
        withSessionRole = backend.startProxy("{ mode: session, size: 1 }", """
                plugins:
                  - { type: test-pool-session-role, role: pool_reader, application_name: as-reader }
                """);
    }

    @AfterAll
    static void stop() {
        if (backend != null) {
            backend.close();
        }
    }

    @Test
    void nextClientOfAServerFindsNoneOfThePreviousClientsState() throws Exception {
        String defaultWorkMem;
        String defaultTimeZone;
        try (Connection direct = backend.directAsPooledUser("")) {
            defaultWorkMem = PoolBackend.scalar(direct, "SHOW work_mem");
            defaultTimeZone = PoolBackend.scalar(direct, "SHOW TimeZone");
        }
        int previousPid;
        try (Connection a = PoolBackend.connect(discardAll, "")) {
            previousPid = PoolBackend.backendPid(a);
            execute(a, "SET work_mem = '1234kB'");
            execute(a, "SET TimeZone = 'Asia/Tokyo'");
            execute(a, "CREATE TEMP TABLE left_behind (v int)");
            execute(a, "PREPARE left_plan AS SELECT 1");
            execute(a, "LISTEN left_channel");
            execute(a, "SELECT pg_advisory_lock(77)");
            assertThat(PoolBackend.scalar(a, "SHOW work_mem")).isEqualTo("1234kB").isNotEqualTo(defaultWorkMem);
            assertThat(PoolBackend.scalar(a, "SELECT to_regclass('left_behind')")).isEqualTo("left_behind");
        }
        try (Connection b = PoolBackend.connect(discardAll, "")) {
            assertThat(PoolBackend.backendPid(b)).as("B gets A's server").isEqualTo(previousPid);
            assertThat(PoolBackend.scalar(b, "SHOW work_mem")).isEqualTo(defaultWorkMem);
            assertThat(PoolBackend.scalar(b, "SHOW TimeZone")).isEqualTo(defaultTimeZone);
            assertThat(PoolBackend.scalar(b, "SELECT to_regclass('left_behind')")).isNull();
            assertThat(PoolBackend.scalar(b, "SELECT count(*) FROM pg_prepared_statements WHERE name = 'left_plan'"))
                    .isEqualTo("0");
            assertThat(PoolBackend.scalar(b, "SELECT count(*) FROM pg_listening_channels()")).isEqualTo("0");
            assertThat(PoolBackend.scalar(b, "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' "
                    + "AND pid = pg_backend_pid()")).isEqualTo("0");
        }
    }

    @Test
    void serverWhoseResetFailsIsClosedAndTheNextClientGetsAnotherOne() throws Exception {
        int previousPid;
        try (Connection a = PoolBackend.connect(failingReset, "")) {
            previousPid = PoolBackend.backendPid(a);
            execute(a, "SET work_mem = '1234kB'");
        }
        try (Connection b = PoolBackend.connect(failingReset, "")) {
            assertThat(PoolBackend.backendPid(b)).as("B's server").isNotEqualTo(previousPid);
            assertThat(PoolBackend.scalar(b, "SELECT 6 * 7")).isEqualTo("42");
        }
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (backend.backendAlive(previousPid) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(backend.backendAlive(previousPid)).as("A's server after its reset failed").isFalse();
    }

    @Test
    void setRoleFromSessionInitEndsWithItsSession() throws Exception {
        // assumeMinServerVersion puts application_name in the startup packet, where onAuth sees it.
        int previousPid;
        try (Connection a = PoolBackend.connect(withSessionRole, "assumeMinServerVersion=9.0&ApplicationName=as-reader")) {
            previousPid = PoolBackend.backendPid(a);
            assertThat(PoolBackend.scalar(a, "SELECT current_user")).isEqualTo("pool_reader");
        }
        try (Connection b = PoolBackend.connect(withSessionRole, "assumeMinServerVersion=9.0&ApplicationName=plain")) {
            assertThat(PoolBackend.backendPid(b)).as("B gets A's server").isEqualTo(previousPid);
            assertThat(PoolBackend.scalar(b, "SELECT current_user")).isEqualTo(PoolBackend.USER);
        }
    }

    private static void execute(Connection connection, String sql) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }
}
