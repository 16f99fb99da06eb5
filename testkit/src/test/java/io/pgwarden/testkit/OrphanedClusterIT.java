package io.pgwarden.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A JVM killed with its server running leaves a postmaster; the next cluster start removes it. */
class OrphanedClusterIT {

    @Test
    void clusterOfAKilledJvmIsStoppedAndDeleted() throws Exception {
        Process child = new ProcessBuilder(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"),
                OrphanMaker.class.getName()))
                .redirectErrorStream(false)
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        String[] started;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            // The child logs to standard output too; its report is the line that starts with "started ".
            String line = out.readLine();
            while (line != null && !line.startsWith("started ")) {
                line = out.readLine();
            }
            assertThat(line).as("the child's report of its server").isNotNull();
            started = line.split(" ");
        } finally {
            // SIGKILL: no shutdown hook runs, exactly like a crashed or killed test run.
            child.destroyForcibly();
            child.waitFor(10, TimeUnit.SECONDS);
        }
        int port = Integer.parseInt(started[1]);
        Path root = Path.of(started[2]).getParent();
        String url = "jdbc:postgresql://127.0.0.1:" + port + "/postgres?user=postgres&sslmode=disable&connectTimeout=5";
        try (Connection stillRunning = DriverManager.getConnection(url)) {
            assertThat(stillRunning.isValid(5)).isTrue();
        }

        StaleClusters.reapAll();

        assertThat(Files.exists(root)).isFalse();
        assertThatThrownBy(() -> DriverManager.getConnection(url).close()).isInstanceOf(SQLException.class);
    }

    /** Runs in the child JVM: starts a server, reports it, and waits to be killed. */
    static final class OrphanMaker {

        public static void main(String[] args) throws InterruptedException {
            EmbeddedPostgres pg = EmbeddedPostgres.start();
            System.out.println("started " + pg.port() + " " + pg.dataDirectory());
            System.out.flush();
            Thread.sleep(TimeUnit.MINUTES.toMillis(5));
            pg.close();
        }
    }
}
