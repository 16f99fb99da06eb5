package io.pgwarden.core.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.ConnectException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(180)
class PgwardenDemoIT {

    @TempDir
    Path home;

    @Test
    void clientsReachTheSampleThroughTheProxyAndCloseLeavesNothing() throws Exception {
        PgwardenDemo demo = new PgwardenDemo();
        Path folder;
        int proxyPort;
        try {
            demo.start(0, home);
            folder = demo.dataFolder();
            proxyPort = demo.proxyAddress().getPort();
            assertThat(demo.psqlCommand()).isEqualTo("psql \"host=127.0.0.1 port=" + proxyPort + " dbname=demo user=demo\"");
            assertThat(demo.postgresVersion()).matches("[0-9]+\\.[0-9]+.*");
            try (Connection connection = DriverManager.getConnection(demo.jdbcUrl());
                 Statement statement = connection.createStatement();
                 ResultSet rows = statement.executeQuery(
                         "SELECT count(*), current_user FROM orders o JOIN people p ON p.id = o.person_id")) {
                rows.next();
                assertThat(rows.getInt(1)).isEqualTo(SampleData.ORDERS);
                assertThat(rows.getString(2)).isEqualTo(DemoPostgres.SUPERUSER);
            }
        } finally {
            demo.close();
        }

        assertThat(Files.exists(folder)).isFalse();
        assertThatThrownBy(() -> new Socket("127.0.0.1", proxyPort).close()).isInstanceOf(ConnectException.class);
        demo.close();
        assertThatThrownBy(() -> demo.start(0, home)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void otherDatabasesMatchNoRule() throws Exception {
        try (PgwardenDemo demo = new PgwardenDemo()) {
            demo.start(0, home);
            String url = "jdbc:postgresql://127.0.0.1:" + demo.proxyAddress().getPort() + "/postgres?user=demo";
            assertThatThrownBy(() -> DriverManager.getConnection(url).close())
                    .isInstanceOf(java.sql.SQLException.class);
        }
    }

    @Test
    void failedStartStopsPostgresAgain() throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            PgwardenDemo demo = new PgwardenDemo();
            assertThatThrownBy(() -> demo.start(taken.getLocalPort(), home)).isInstanceOf(Exception.class);
            assertThat(demo.dataFolder()).doesNotExist();
        }
    }
}
