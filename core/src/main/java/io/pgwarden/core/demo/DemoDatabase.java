package io.pgwarden.core.demo;

import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

/** The demo's PostgreSQL server with the {@code demo} database created and loaded with {@link SampleData}. */
final class DemoDatabase implements AutoCloseable {

    /** The database the demo's clients use. */
    static final String NAME = "demo";

    private final DemoPostgres server;

    private DemoDatabase(DemoPostgres server) {
        this.server = server;
    }

    /**
     * Starts a server and loads the sample; on failure nothing is left behind.
     *
     * @return the running database
     */
    static DemoDatabase start() throws IOException, SQLException {
        DemoPostgres server = DemoPostgres.start();
        try {
            try (Connection connection = DriverManager.getConnection(server.jdbcUrl("postgres"));
                 Statement statement = connection.createStatement()) {
                statement.execute("CREATE DATABASE " + NAME);
            }
            try (Connection connection = DriverManager.getConnection(server.jdbcUrl(NAME))) {
                SampleData.load(connection);
            }
        } catch (SQLException | RuntimeException e) {
            server.close();
            throw e;
        }
        return new DemoDatabase(server);
    }

    DemoPostgres server() {
        return server;
    }

    int port() {
        return server.port();
    }

    /** Stops the server and deletes its files. */
    @Override
    public void close() {
        server.close();
    }
}
