package io.pgwarden.core.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.regex.Matcher;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code pgwarden demo} in its own JVM: it serves the sample through the proxy and SIGTERM leaves nothing behind. */
@Timeout(240)
class DemoCommandIT {

    @Test
    void demoServesTheSampleAndCleansUpOnSigterm() throws Exception {
        try (ProcessRun demo = ProcessRun.start("demo", "--port", "0")) {
            Path folder = Path.of(demo.awaitLine("Data folder: (\\S+) \\(deleted on exit\\)", 180).group(1));
            Matcher psql = demo.awaitLine("psql \"host=127.0.0.1 port=([0-9]+) dbname=demo user=demo\"", 10);
            Matcher jdbc = demo.awaitLine("or JDBC: (\\S+)", 10);
            assertThat(jdbc.group(1)).contains(":" + psql.group(1) + "/demo");
            demo.awaitLine("Press Ctrl-C to stop", 10);
            assertThat(Files.isDirectory(folder)).isTrue();

            try (Connection connection = DriverManager.getConnection(jdbc.group(1));
                 Statement statement = connection.createStatement();
                 ResultSet rows = statement.executeQuery("SELECT count(*) FROM people")) {
                rows.next();
                assertThat(rows.getInt(1)).isEqualTo(200);
            }

            assertThat(demo.terminate(60)).as("exit status after SIGTERM").isEqualTo(143);
            assertThat(Files.exists(folder)).as("the demo's data folder is deleted").isFalse();
        }
    }
}
