package io.pgwarden.it.plugin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgwarden.core.config.ConfigLoader;
import io.pgwarden.core.server.PgwardenServer;
import io.pgwarden.testkit.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.util.PSQLException;

/**
 * A plugin jar built during the test, in the proxy's plugins folder, refusing a statement: the
 * refusal reaches a real client (pgjdbc) as an ErrorResponse with the plugin's SQLSTATE, and the
 * session goes on.
 */
class PluginRejectIT {

    @TempDir
    static Path temp;

    private static EmbeddedPostgres postgres;
    private static PgwardenServer proxy;

    @BeforeAll
    static void start() throws Exception {
        Path plugins = Files.createDirectories(temp.resolve("plugins"));
        new PluginJarBuilder("no-drop")
                .source("com.example.nodrop.NoDropFactory", """
                        package com.example.nodrop;
                        import io.pgwarden.spi.*;
                        public final class NoDropFactory implements InterceptorFactory {
                            public String type() { return "no-drop"; }
                            public Interceptor create(PluginConfig config, Services services) {
                                String group = config.requireString("allowed_group");
                                return new Interceptor() {
                                    @Override
                                    public Decision onQuery(QueryContext context) {
                                        boolean drop = context.sql().toLowerCase(java.util.Locale.ROOT).matches("(?s)\\\\s*drop\\\\s+table\\\\b.*");
                                        boolean allowed = context.session().identity()
                                                .map(identity -> identity.groups().contains(group)).orElse(false);
                                        return drop && !allowed
                                                ? Decision.reject("42501", "DROP TABLE is reserved for " + group, "ask a DBA")
                                                : Decision.proceed();
                                    }
                                };
                            }
                        }
                        """)
                .factory("com.example.nodrop.NoDropFactory")
                .writeTo(plugins.resolve("no-drop-1.0.0.jar"));
        postgres = EmbeddedPostgres.start();
        postgres.execute("postgres", "CREATE TABLE keep_me (id int)");
        String yaml = """
                listen: { host: 127.0.0.1, port: 0 }
                backends:
                  pg: { host: 127.0.0.1, port: %d, tls: { mode: disable } }
                auth:
                  rules:
                    - { method: passthrough }
                plugins_dir: %s
                plugins:
                  - type: no-drop
                    allowed_group: dba
                """.formatted(postgres.port(), plugins);
        proxy = PgwardenServer.start(ConfigLoader.parse(yaml, temp));
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

    private static Connection connect() throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + proxy.address().getPort()
                + "/postgres?user=postgres&sslmode=disable");
    }

    @Test
    void rejectDecisionReachesTheClientAsAnErrorAndTheSessionGoesOn() throws Exception {
        try (Connection connection = connect(); Statement statement = connection.createStatement()) {
            assertThatThrownBy(() -> statement.execute("DROP TABLE keep_me"))
                    .isInstanceOfSatisfying(PSQLException.class, e -> {
                        assertThat(e.getSQLState()).isEqualTo("42501");
                        assertThat(e.getServerErrorMessage().getMessage()).isEqualTo("DROP TABLE is reserved for dba");
                        assertThat(e.getServerErrorMessage().getHint()).isEqualTo("ask a DBA");
                        assertThat(e.getServerErrorMessage().getSeverity()).isEqualTo("ERROR");
                    });

            try (ResultSet rs = statement.executeQuery("SELECT count(*) FROM keep_me")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getInt(1)).isZero();
            }
        }
    }

    @Test
    void preparedStatementsAreRefusedToo() throws Exception {
        try (Connection connection = connect()) {
            assertThatThrownBy(() -> connection.prepareStatement("DROP TABLE keep_me").execute())
                    .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("42501"));
        }
        try (Connection connection = connect(); Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery("SELECT to_regclass('keep_me') IS NOT NULL")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getBoolean(1)).isTrue();
        }
    }
}
