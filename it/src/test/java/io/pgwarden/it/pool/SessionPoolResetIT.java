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
 * Session mode: a server goes to the next client only after {@code server_reset_query}, a server whose reset
 * fails is closed, and session initialization from onAuth ends with its session. Pools of one server, so that
 * the next client gets the previous client's server if there is one.
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
        // The reset fails only for a server whose last client set pool_test.fail_reset (the divisor is not a
        // constant, so the planner cannot fail it early).
        failingReset = backend.startProxy("{ mode: session, size: 1, server_reset_query: \"SELECT 1 / CASE WHEN "
                + "current_setting('pool_test.fail_reset', true) = 'yes' THEN 0 ELSE 1 END\" }", "");
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
        int serverPid;
        try (Connection a = PoolBackend.connect(failingReset, "")) {
            serverPid = PoolBackend.backendPid(a);
        }
        try (Connection b = PoolBackend.connect(failingReset, "")) {
            assertThat(PoolBackend.backendPid(b)).as("B after a reset that succeeded").isEqualTo(serverPid);
            execute(b, "SET pool_test.fail_reset = 'yes'");
        }
        try (Connection c = PoolBackend.connect(failingReset, "")) {
            assertThat(PoolBackend.backendPid(c)).as("C after a reset that failed").isNotEqualTo(serverPid);
            assertThat(PoolBackend.scalar(c, "SELECT 6 * 7")).isEqualTo("42");
        }
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (backend.backendAlive(serverPid) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(backend.backendAlive(serverPid)).as("the server whose reset failed").isFalse();
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
