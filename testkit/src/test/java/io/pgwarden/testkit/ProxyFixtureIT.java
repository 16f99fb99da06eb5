package io.pgwarden.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgwarden.core.config.ConfigException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The in-process proxy in front of a real PostgreSQL, reached by pgjdbc and the raw client. */
class ProxyFixtureIT {

    private static TestCertificates certificates;
    private static EmbeddedPostgres pg;

    @BeforeAll
    static void start() {
        certificates = TestCertificates.create();
        pg = EmbeddedPostgres.everyAuthMethod(certificates).start();
    }

    @AfterAll
    static void stop() {
        try {
            pg.close();
        } finally {
            certificates.close();
        }
    }

    private static String passthroughYaml() {
        return """
                listen: { host: 127.0.0.1, port: 0 }
                backends:
                  primary: { host: 127.0.0.1, port: %d, tls: { mode: disable } }
                auth:
                  rules:
                    - { method: passthrough }
                limits: { shutdown_timeout: 2s }
                """.formatted(pg.port());
    }

    @Test
    void pgjdbcReachesPostgresThroughTheProxyWithItsOwnPassword() throws SQLException {
        PresetRole role = PresetRole.SCRAM;
        try (ProxyFixture proxy = ProxyFixture.fromYaml(passthroughYaml())) {
            assertThat(proxy.port()).isPositive().isNotEqualTo(pg.port());
            try (Connection connection = DriverManager.getConnection(
                    proxy.jdbcUrl("postgres", role.user()) + "&sslmode=disable", role.user(), role.password());
                 Statement statement = connection.createStatement();
                 ResultSet rs = statement.executeQuery("SELECT current_user, inet_server_port()")) {
                rs.next();
                assertThat(rs.getString(1)).isEqualTo(role.user());
                assertThat(rs.getInt(2)).isEqualTo(pg.port());
            }
        }
    }

    @Test
    void wrongPasswordThroughTheProxyIsRefused() {
        PresetRole role = PresetRole.SCRAM;
        try (ProxyFixture proxy = ProxyFixture.fromYaml(passthroughYaml())) {
            assertThatThrownBy(() -> DriverManager.getConnection(proxy.jdbcUrl("postgres", role.user())
                    + "&sslmode=disable", role.user(), "wrong").close())
                    .isInstanceOf(SQLException.class)
                    .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("28P01"));
        }
    }

    @Test
    void rawClientGetsReadyForQueryFromTheProxy() throws Exception {
        try (ProxyFixture proxy = ProxyFixture.fromYaml(passthroughYaml());
             RawPgClient client = RawPgClient.connect(proxy.host(), proxy.port())) {
            client.sendStartup(Map.of("user", PresetRole.TRUST.user(), "database", "postgres"));
            assertThat(client.readUntilReadyForQuery()).last()
                    .satisfies(message -> assertThat(message.transactionStatus()).isEqualTo('I'));
            client.sendTerminate();
            assertThat(client.isClosedByPeer(Duration.ofSeconds(5))).isTrue();
        }
    }

    @Test
    void invalidYamlReportsItsProblemsAndStartsNothing() {
        assertThatThrownBy(() -> ProxyFixture.fromYaml("listen: { port: -1 }\n"))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).problems()).isNotEmpty());
    }
}
