package io.pgwarden.it.plugin;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.pgwarden.core.config.ConfigLoader;
import io.pgwarden.core.config.ProxyConfig;
import io.pgwarden.core.config.SecretResolver;
import io.pgwarden.core.plugin.CoreServices;
import io.pgwarden.spi.Services;
import io.pgwarden.testkit.EmbeddedPostgres;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Side connections that plugins get from {@link Services#dataSource}, against a real PostgreSQL. */
class SideConnectionIT {

    @TempDir
    static Path temp;

    private static EmbeddedPostgres postgres;
    private static CoreServices services;

    @BeforeAll
    static void start() {
        postgres = EmbeddedPostgres.start();
        postgres.execute("postgres", "CREATE ROLE side_reader LOGIN PASSWORD 'side-secret'");
        ProxyConfig config = ConfigLoader.parse("""
                listen: { host: 127.0.0.1, port: 0 }
                backends:
                  pg: { host: 127.0.0.1, port: %d, tls: { mode: disable } }
                auth:
                  rules:
                    - { method: passthrough }
                """.formatted(postgres.port()), temp);
        services = new CoreServices(config, SecretResolver.forDirectory(temp), new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
    }

    @AfterAll
    static void stop() {
        if (services != null) {
            services.close();
        }
        if (postgres != null) {
            postgres.close();
        }
    }

    @Test
    void pluginQueriesTheNamedBackendThroughAPooledDataSource() throws Exception {
        Services plugin = services.forPlugin("audit", "plugins[0]", getClass().getClassLoader());
        DataSource dataSource = plugin.dataSource("pg", "postgres", "postgres", null);

        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery("SELECT current_user, current_database(), current_setting('application_name')")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo("postgres");
            assertThat(rs.getString(2)).isEqualTo("postgres");
            assertThat(rs.getString(3)).isEqualTo("pgwarden");
        }
    }

    @Test
    void anotherRoleGetsItsOwnPoolLoggedInAsThatRole() throws Exception {
        DataSource dataSource = services.dataSource("pg", "postgres", "side_reader", "side-secret");
        assertThat(dataSource).isNotSameAs(services.dataSource("pg", "postgres", "postgres", null));

        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery("SELECT current_user")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo("side_reader");
        }
    }
}
