package io.pgwarden.core.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(180)
class PostgresClusterIT {

    private static final String PREFIX = "pgwarden-cluster-test-";

    @Test
    void settingsAndHbaLinesAreInForceAndDestroyLeavesNothing() throws Exception {
        PostgresCluster cluster = PostgresCluster.initialize(PREFIX);
        long pid;
        try {
            Map<String, String> settings = loopback();
            settings.put("work_mem", "7MB");
            cluster.appendSettings(settings);
            cluster.writeHba(List.of("host all alice 127.0.0.1/32 reject"));
            cluster.destroyOnExit();
            cluster.start();
            pid = cluster.pid();
            try (Connection connection = DriverManager.getConnection(cluster.jdbcUrl("postgres"));
                 Statement statement = connection.createStatement()) {
                statement.execute("CREATE ROLE alice LOGIN");
                try (ResultSet rows = statement.executeQuery("SHOW work_mem")) {
                    rows.next();
                    assertThat(rows.getString(1)).isEqualTo("7MB");
                }
            }
            String alice = "jdbc:postgresql://127.0.0.1:" + cluster.port() + "/postgres?user=alice";
            assertThatThrownBy(() -> DriverManager.getConnection(alice).close())
                    .isInstanceOf(SQLException.class).hasMessageContaining("pg_hba.conf rejects");
        } finally {
            cluster.destroy();
        }
        cluster.destroy();

        assertThat(cluster.root()).doesNotExist();
        Optional<ProcessHandle> postmaster = ProcessHandle.of(pid);
        if (postmaster.isPresent()) {
            // pg_ctl waited for the postmaster; its parent may take a moment to reap it
            postmaster.get().onExit().get(10, TimeUnit.SECONDS);
        }
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
    }

    @Test
    void destroyAfterTheServerWasStoppedByItsOwnSignalLeavesNothingAndDoesNotFail() throws Exception {
        PostgresCluster cluster = PostgresCluster.initialize(PREFIX);
        try {
            cluster.appendSettings(loopback());
            cluster.start();
            long pid = cluster.pid();
            // What Ctrl-C does when it reaches the postmaster too: a fast shutdown of its own.
            ProcessHandle.of(pid).ifPresent(postmaster -> {
                try {
                    new ProcessBuilder("kill", "-INT", Long.toString(pid)).inheritIO().start().waitFor(10, TimeUnit.SECONDS);
                    postmaster.onExit().get(30, TimeUnit.SECONDS);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
        } finally {
            cluster.destroy();
        }

        assertThat(cluster.root()).doesNotExist();
    }

    @Test
    void dataFilesBelongToTheServerUserWithTheirMode() throws Exception {
        PostgresCluster cluster = PostgresCluster.initialize(PREFIX);
        try {
            Path key = cluster.writeDataFile("server.key", new byte[] {1, 2, 3}, "rw-------");

            int jvmUid = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
            int expectedOwner = jvmUid == 0 ? 65534 : jvmUid;
            assertThat(Files.getAttribute(key, "unix:uid")).isEqualTo(expectedOwner);
            assertThat(Files.getAttribute(cluster.dataDirectory(), "unix:uid")).isEqualTo(expectedOwner);
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key))).isEqualTo("rw-------");
            assertThat(key).hasBinaryContent(new byte[] {1, 2, 3});
        } finally {
            cluster.destroy();
        }
        assertThat(cluster.root()).doesNotExist();
    }

    @Test
    void aServerThatCannotStartReportsItsLog() throws Exception {
        PostgresCluster cluster = PostgresCluster.initialize(PREFIX);
        try {
            Map<String, String> settings = loopback();
            settings.put("max_connections", "many");
            cluster.appendSettings(settings);

            assertThatThrownBy(cluster::start).isInstanceOf(IOException.class)
                    .hasMessageContaining("server log:")
                    .hasMessageContaining("max_connections");
        } finally {
            cluster.destroy();
        }
        assertThat(cluster.root()).doesNotExist();
    }

    @Test
    void clustersShareOneInstallationInTheTemporaryFolder() throws Exception {
        Path installation = PostgresBinaries.installation();

        assertThat(installation.getParent()).isEqualTo(Path.of(System.getProperty("java.io.tmpdir"), "pgwarden-postgres"));
        assertThat(installation.getFileName().toString()).matches("[0-9a-f]{16}");
        assertThat(installation.resolve("bin/postgres")).isExecutable();
        assertThat(PostgresBinaries.installation()).isEqualTo(installation);
    }

    private static Map<String, String> loopback() {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("listen_addresses", "127.0.0.1");
        settings.put("unix_socket_directories", "");
        settings.put("fsync", "off");
        return settings;
    }
}
