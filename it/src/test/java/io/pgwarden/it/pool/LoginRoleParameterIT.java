package io.pgwarden.it.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgwarden.core.pool.PoolStats;
import io.pgwarden.testkit.LeakCheckExtension;
import io.pgwarden.testkit.ProxyFixture;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The {@code role} login parameter (test plugin {@code test-pool-login-role}): everybody logs in as the shared
 * account {@value #SERVICE}, with their own role in the servers' startup packet. People get servers of their own
 * pool, are their role, and {@code RESET ROLE} returns to it, in session and transaction mode.
 */
@ExtendWith(LeakCheckExtension.class)
class LoginRoleParameterIT {

    private static final String SERVICE = "pool_sso";
    private static final String ALICE = "pool_alice";
    private static final String BOB = "pool_bob";
    private static final String CAROL = "pool_carol";

    private static PoolBackend backend;
    private static ProxyFixture session;
    private static ProxyFixture transaction;

    @BeforeAll
    static void start() {
        backend = PoolBackend.start();
        backend.postgres().execute("postgres", "CREATE ROLE " + SERVICE + " LOGIN", "CREATE ROLE " + ALICE,
                "CREATE ROLE " + BOB, "CREATE ROLE " + CAROL, "GRANT " + ALICE + ", " + BOB + ", " + CAROL + " TO " + SERVICE);
        String plugin = """
                plugins:
                  - { type: test-pool-login-role, user: %s }
                """.formatted(SERVICE);
        session = backend.startProxy("{ mode: session, size: 2 }", plugin);
        transaction = backend.startProxy("{ mode: transaction, size: 2 }", plugin);
    }

    @AfterAll
    static void stop() {
        if (backend != null) {
            backend.close();
        }
    }

    private static ProxyFixture proxy(String mode) {
        return mode.equals("session") ? session : transaction;
    }

    private static Connection connect(ProxyFixture proxy, String person, String options) throws SQLException {
        String url = "jdbc:postgresql://127.0.0.1:" + proxy.port() + "/" + PoolBackend.DATABASE + "?user=" + person
                + "&sslmode=disable&connectTimeout=20&socketTimeout=60";
        return DriverManager.getConnection(options.isEmpty() ? url : url + "&" + options);
    }

    private static List<PoolStats> servicePools(ProxyFixture proxy) {
        return proxy.server().pools().stream().filter(pool -> pool.user().equals(SERVICE)).toList();
    }

    @ParameterizedTest
    @ValueSource(strings = {"session", "transaction"})
    void eachPersonIsTheirRoleOnServersOfTheirOwnPool(String mode) throws Exception {
        ProxyFixture proxy = proxy(mode);
        Set<String> alicePids = new HashSet<>();
        Set<String> bobPids = new HashSet<>();
        // Two application names: applied on attach, they do not split Alice's pool.
        try (Connection alice = connect(proxy, ALICE, "assumeMinServerVersion=9.0&ApplicationName=one");
             Connection alice2 = connect(proxy, ALICE, "assumeMinServerVersion=9.0&ApplicationName=two");
             Connection bob = connect(proxy, BOB, "")) {
            for (int i = 0; i < 3; i++) {
                assertThat(PoolBackend.scalar(alice, "SELECT current_user || ' ' || session_user")).isEqualTo(ALICE + " " + SERVICE);
                assertThat(PoolBackend.scalar(bob, "SELECT current_user || ' ' || session_user")).isEqualTo(BOB + " " + SERVICE);
                assertThat(PoolBackend.scalar(alice, "SHOW application_name")).isEqualTo("one");
                alicePids.add(PoolBackend.scalar(alice, "SELECT pg_backend_pid()"));
                bobPids.add(PoolBackend.scalar(bob, "SELECT pg_backend_pid()"));
                if (mode.equals("transaction")) {
                    assertThat(PoolBackend.scalar(alice2, "SHOW application_name")).isEqualTo("two");
                    alicePids.add(PoolBackend.scalar(alice2, "SELECT pg_backend_pid()"));
                }
            }
            assertThat(alicePids).doesNotContainAnyElementsOf(bobPids);
        }
        assertThat(servicePools(proxy)).extracting(PoolStats::role).contains(ALICE, BOB).doesNotHaveDuplicates()
                .doesNotContainNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"session", "transaction"})
    void resetRoleReturnsToThePersonNotToTheServiceAccount(String mode) throws Exception {
        try (Connection alice = connect(proxy(mode), ALICE, "")) {
            assertThat(after(alice, "RESET ROLE")).isEqualTo(ALICE);
            assertThat(after(alice, "RESET ALL")).isEqualTo(ALICE);
            assertThat(after(alice, "SET ROLE " + BOB)).isEqualTo(BOB);
            assertThat(after(alice, "RESET ROLE")).isEqualTo(ALICE);
            // SET ROLE NONE goes to the session user, the shared account: why the set-role guard refuses it.
            assertThat(after(alice, "SET ROLE NONE")).isEqualTo(SERVICE);
            assertThat(after(alice, "RESET ROLE")).isEqualTo(ALICE);
            assertThat(after(alice, "DISCARD ALL")).isEqualTo(ALICE);
        }
        // The next client of Alice's server (after its reset) is Alice again, with the role of the startup packet.
        try (Connection alice = connect(proxy(mode), ALICE, "")) {
            assertThat(PoolBackend.scalar(alice, "SELECT current_user")).isEqualTo(ALICE);
        }
    }

    @Test
    void sessionModeHandsAServerOnlyToClientsOfItsRole() throws Exception {
        String carolPid;
        try (Connection carol = connect(session, CAROL, "")) {
            carolPid = PoolBackend.scalar(carol, "SELECT pg_backend_pid()");
        }
        try (Connection bob = connect(session, BOB, "")) {
            assertThat(PoolBackend.scalar(bob, "SELECT pg_backend_pid()")).isNotEqualTo(carolPid);
            assertThat(PoolBackend.scalar(bob, "SELECT current_user")).isEqualTo(BOB);
        }
        try (Connection carol = connect(session, CAROL, "")) {
            assertThat(PoolBackend.scalar(carol, "SELECT pg_backend_pid()")).as("Carol's server again").isEqualTo(carolPid);
            assertThat(PoolBackend.scalar(carol, "SELECT current_user")).isEqualTo(CAROL);
        }
    }

    @Test
    void roleInOptionsIsRefusedRatherThanSetOnAServerOfAnotherRole() {
        assertThatThrownBy(() -> connect(transaction, ALICE, "options=" + PoolBackend.encode("-c role=" + BOB)).close())
                .isInstanceOfSatisfying(SQLException.class, e -> {
                    assertThat(e.getSQLState()).isEqualTo("0A000");
                    assertThat(e.getMessage()).contains("only as the startup parameter \"role\"");
                });
    }

    /** Runs {@code sql}, then tells {@code current_user}. */
    private static String after(Connection connection, String sql) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
        return PoolBackend.scalar(connection, "SELECT current_user");
    }
}
