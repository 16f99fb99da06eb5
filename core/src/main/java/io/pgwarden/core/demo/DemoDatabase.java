package io.pgwarden.core.demo;

import io.pgwarden.core.embedded.PostgresCluster;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The demo's throw-away PostgreSQL server (a {@link PostgresCluster} in {@code java.io.tmpdir/pgwarden-demo-*})
 * with the {@code demo} database created and loaded with {@link SampleData}. {@link #close()} stops the
 * server and deletes its folder.
 */
final class DemoDatabase implements AutoCloseable {

    /** The database the demo's clients use. */
    static final String NAME = "demo";

    /** The superuser the proxy logs in as; it connects over loopback without a password. */
    static final String SUPERUSER = PostgresCluster.SUPERUSER;

    private static final String DIRECTORY_PREFIX = "pgwarden-demo-";

    private final PostgresCluster cluster;

    private DemoDatabase(PostgresCluster cluster) {
        this.cluster = cluster;
    }

    /**
     * Starts a server and loads the sample; on failure nothing is left behind.
     *
     * @return the running database
     */
    static DemoDatabase start() throws IOException, SQLException {
        PostgresCluster cluster = PostgresCluster.initialize(DIRECTORY_PREFIX);
        try {
            cluster.appendSettings(settings());
            cluster.start();
            try (Connection connection = DriverManager.getConnection(cluster.jdbcUrl("postgres"));
                 Statement statement = connection.createStatement()) {
                statement.execute("CREATE DATABASE " + NAME);
            }
            try (Connection connection = DriverManager.getConnection(cluster.jdbcUrl(NAME))) {
                SampleData.load(connection);
            }
        } catch (IOException | SQLException | RuntimeException e) {
            try {
                cluster.destroy();
            } catch (RuntimeException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
        return new DemoDatabase(cluster);
    }

    private static Map<String, String> settings() {
        // loopback only, small and quick
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("listen_addresses", "127.0.0.1");
        settings.put("unix_socket_directories", "");
        settings.put("fsync", "off");
        settings.put("max_connections", "50");
        return settings;
    }

    int port() {
        return cluster.port();
    }

    /** The folder holding the server's files. */
    Path root() {
        return cluster.root();
    }

    /** The postmaster's process id. */
    long pid() throws IOException {
        return cluster.pid();
    }

    /** A JDBC URL for the superuser on a database. */
    String jdbcUrl(String database) {
        return cluster.jdbcUrl(database);
    }

    /** Stops the server and deletes its files. */
    @Override
    public void close() {
        cluster.destroy();
    }
}
