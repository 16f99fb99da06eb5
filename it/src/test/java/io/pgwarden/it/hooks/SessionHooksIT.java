package io.pgwarden.it.hooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgwarden.testkit.EmbeddedPostgres;
import io.pgwarden.testkit.ProxyFixture;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** onStartup, onAuth, onComplete and onSessionEnd through pgjdbc, with two real backends. */
class SessionHooksIT {

    private static EmbeddedPostgres primary;
    private static EmbeddedPostgres second;
    private static ProxyFixture proxy;

    @BeforeAll
    static void start() {
        primary = EmbeddedPostgres.start();
        second = EmbeddedPostgres.start();
        proxy = ProxyFixture.fromYaml("""
                listen: { host: 127.0.0.1, port: 0 }
                backends:
                  primary: { host: 127.0.0.1, port: %d, tls: { mode: disable } }
                  second: { host: 127.0.0.1, port: %d, tls: { mode: disable } }
                auth:
                  rules:
                    - { method: passthrough }
                plugins:
                  - { type: test-session-hooks }
                """.formatted(primary.port(), second.port()));
    }

    @AfterAll
    static void stop() {
        for (AutoCloseable closeable : new AutoCloseable[] {proxy, second, primary}) {
            try {
                if (closeable != null) {
                    closeable.close();
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** assumeMinServerVersion makes pgjdbc send application_name in the startup packet, where onStartup sees it. */
    private static Connection connect(String user, String applicationName) throws SQLException {
        return DriverManager.getConnection(proxy.jdbcUrl("postgres", user) + "&assumeMinServerVersion=9.0&ApplicationName="
                + applicationName);
    }

    private static String single(Connection connection, String sql) throws SQLException {
        try (Statement statement = connection.createStatement(); ResultSet rs = statement.executeQuery(sql)) {
            assertThat(rs.next()).isTrue();
            return rs.getString(1);
        }
    }

    @Test
    void onStartupRejectReachesTheClientAsFatalWithItsHint() {
        assertThatThrownBy(() -> connect("blocked", "any").close())
                .isInstanceOfSatisfying(SQLException.class, e -> {
                    assertThat(e.getSQLState()).isEqualTo("28000");
                    assertThat(e.getMessage()).contains("blocked by the test plugin");
                });
    }

    @Test
    void onStartupRouteSendsTheSessionToTheNamedBackend() throws Exception {
        try (Connection routed = connect("postgres", "route-me"); Connection plain = connect("postgres", "plain")) {
            assertThat(single(routed, "SELECT inet_server_port()")).isEqualTo(String.valueOf(second.port()));
            assertThat(single(plain, "SELECT inet_server_port()")).isEqualTo(String.valueOf(primary.port()));
        }
    }

    @Test
    void onStartupParameterChangeIsWhatTheServerSees() throws Exception {
        try (Connection connection = connect("postgres", "rename-me")) {
            assertThat(single(connection, "SHOW application_name")).isEqualTo("renamed-by-plugin");
        }
    }

    @Test
    void onAuthSessionInitializationRunsBeforeTheClientsFirstStatement() throws Exception {
        try (Connection connection = connect("postgres", "init")) {
            assertThat(single(connection, "SELECT current_setting('pgwarden.person')")).isEqualTo("postgres");
        }
    }

    @Test
    void onCompleteSeesTagsAndErrorsAndOnSessionEndSeesTheEnd() throws Exception {
        try (Connection connection = connect("postgres", "complete-it"); Statement statement = connection.createStatement()) {
            statement.execute("SELECT 1");
            assertThatThrownBy(() -> statement.execute("SELECT 1/0")).isInstanceOf(SQLException.class);
        }
        assertThat(SessionHooks.COMPLETIONS).contains("complete-it: SELECT 1", "complete-it: ERROR 22012");
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!SessionHooks.ENDED.contains("complete-it") && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(SessionHooks.ENDED).contains("complete-it");
    }
}
