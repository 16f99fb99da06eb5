package io.pgwarden.core.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgwarden.core.demo.PgwardenDemo;
import java.net.ConnectException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code pgwarden serve} in its own JVM, in front of a real PostgreSQL, stopped by SIGTERM or by the
 * admin console's SHUTDOWN.
 */
@Timeout(240)
class ServeCommandIT {

    @TempDir
    Path home;

    @Test
    void quickStartPassesClientsThroughAndStopsOnSigterm() throws Exception {
        try (PgwardenDemo postgres = new PgwardenDemo()) {
            postgres.start(0, home);
            try (ProcessRun serve = ProcessRun.start("serve", "--backend", "127.0.0.1:" + postgres.postgresPort(),
                    "--listen", "127.0.0.1:0")) {
                int port = Integer.parseInt(serve.awaitLine("pgwarden listening on 127\\.0\\.0\\.1:([0-9]+)", 60).group(1));

                try (Connection connection = DriverManager.getConnection(
                        "jdbc:postgresql://127.0.0.1:" + port + "/demo?user=postgres");
                     Statement statement = connection.createStatement();
                     ResultSet rows = statement.executeQuery("SELECT count(*) FROM people")) {
                    rows.next();
                    assertThat(rows.getInt(1)).isEqualTo(200);
                }

                assertThat(serve.terminate(60)).as("exit status after SIGTERM").isEqualTo(143);
                Assertions.assertThatThrownBy(() -> new Socket("127.0.0.1", port).close())
                        .isInstanceOf(ConnectException.class);
            }
        }
    }

    @Test
    void consoleShutdownEndsTheProcessWithStatusZero() throws Exception {
        try (PgwardenDemo postgres = new PgwardenDemo()) {
            postgres.start(0, home);
            Path config = home.resolve("pgwarden.yaml");
            Files.writeString(config, """
                    listen: { host: 127.0.0.1, port: 0 }
                    backends:
                      primary: { host: 127.0.0.1, port: %d, tls: { mode: disable } }
                    auth:
                      rules:
                        - { database: pgwarden, method: trust }
                    admin:
                      console: { users: [ ops ] }
                    """.formatted(postgres.postgresPort()));
            try (ProcessRun serve = ProcessRun.start("serve", "--config", config.toString())) {
                int port = Integer.parseInt(serve.awaitLine("pgwarden listening on 127\\.0\\.0\\.1:([0-9]+)", 60).group(1));
                try (Connection console = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port
                        + "/pgwarden?user=ops&sslmode=disable&preferQueryMode=simple&assumeMinServerVersion=9.0");
                     Statement statement = console.createStatement()) {
                    statement.execute("SHUTDOWN");
                }
                assertThat(serve.awaitExit(60)).as("exit status after SHUTDOWN").isZero();
                Assertions.assertThatThrownBy(() -> new Socket("127.0.0.1", port).close())
                        .isInstanceOf(ConnectException.class);
            }
        }
    }
}
