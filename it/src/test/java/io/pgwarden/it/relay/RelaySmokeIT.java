package io.pgwarden.it.relay;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgwarden.core.config.ConfigLoader;
import io.pgwarden.core.server.PgwardenServer;
import io.pgwarden.testkit.EmbeddedPostgres;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class RelaySmokeIT {

    private static EmbeddedPostgres postgres;
    private static PgwardenServer proxy;

    @BeforeAll
    static void start() throws Exception {
        postgres = EmbeddedPostgres.start();
        String yaml = """
                listen: { host: 127.0.0.1, port: 0 }
                backends:
                  pg: { host: 127.0.0.1, port: %d, tls: { mode: disable } }
                auth:
                  rules:
                    - { database: trusted, method: trust, login: { user: postgres, database: postgres } }
                    - { method: passthrough }
                """.formatted(postgres.port());
        proxy = PgwardenServer.start(ConfigLoader.parse(yaml, Path.of(".")));
    }

    @AfterAll
    static void stop() {
        if (proxy != null) {
            proxy.close();
        }
        if (postgres != null) {
            postgres.close();
        }
    }

    @Test
    void pgjdbcRunsAQueryThroughThePassthroughRule() throws Exception {
        String url = "jdbc:postgresql://127.0.0.1:" + proxy.address().getPort() + "/postgres?user=postgres&sslmode=disable";
        try (Connection connection = DriverManager.getConnection(url); Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery("SELECT current_user, 40 + 2")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo("postgres");
            assertThat(rs.getInt(2)).isEqualTo(42);
        }
    }

    @Test
    void trustRuleLogsInWithTheConfiguredLogin() throws Exception {
        String url = "jdbc:postgresql://127.0.0.1:" + proxy.address().getPort() + "/trusted?user=somebody&sslmode=disable";
        try (Connection connection = DriverManager.getConnection(url); Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery("SELECT current_user, current_database()")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo("postgres");
            assertThat(rs.getString(2)).isEqualTo("postgres");
        }
    }
}
