package io.pgwarden.core.demo;

import io.pgwarden.core.config.ConfigLoader;
import io.pgwarden.core.config.ProxyConfig;
import io.pgwarden.core.server.PgwardenServer;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The demo: an embedded PostgreSQL with the sample database, and pgwarden in front of it on loopback
 * with one rule: clients of database {@code demo} are let in without a password and the proxy logs in
 * to PostgreSQL as its superuser. {@link #close()} stops both and deletes the server's folder; it may be
 * called from a shutdown hook at any moment, also while {@link #start} is still running.
 */
public final class PgwardenDemo implements AutoCloseable {

    private DemoDatabase database;
    private PgwardenServer server;
    private String postgresVersion;
    private boolean closed;

    /** Creates a demo that has not started yet. */
    public PgwardenDemo() {
        // nothing runs until start()
    }

    /**
     * Starts PostgreSQL, loads the sample and starts the proxy. On failure whatever started is stopped.
     *
     * @param port the proxy's port on 127.0.0.1; 0 picks a free one
     * @param home the installation folder; plugins are loaded from its {@code plugins/}
     * @throws Exception when PostgreSQL or the proxy cannot start
     */
    public synchronized void start(int port, Path home) throws Exception {
        if (closed) {
            throw new IllegalStateException("the demo has been stopped");
        }
        if (database != null) {
            throw new IllegalStateException("the demo is already running");
        }
        try {
            database = DemoDatabase.start();
            postgresVersion = serverVersion();
            server = PgwardenServer.start(config(port, database.port(), home));
        } catch (Exception | Error e) {
            close();
            throw e;
        }
    }

    static ProxyConfig config(int proxyPort, int postgresPort, Path home) {
        String yaml = """
                listen: { host: 127.0.0.1, port: %d }
                backends:
                  demo: { host: 127.0.0.1, port: %d, tls: { mode: disable } }
                auth:
                  rules:
                    - database: %s
                      method: trust
                      login: { user: %s, database: %s }
                """.formatted(proxyPort, postgresPort, DemoDatabase.NAME, DemoPostgres.SUPERUSER, DemoDatabase.NAME);
        return ConfigLoader.parse(yaml, home);
    }

    private String serverVersion() throws SQLException {
        try (Connection connection = DriverManager.getConnection(database.server().jdbcUrl(DemoDatabase.NAME));
             Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SHOW server_version")) {
            rows.next();
            return rows.getString(1);
        }
    }

    /**
     * Where the proxy listens.
     *
     * @return the address
     */
    public synchronized InetSocketAddress proxyAddress() {
        return server.address();
    }

    /**
     * The embedded server's port, for comparing a direct connection with one through the proxy.
     *
     * @return the port
     */
    public synchronized int postgresPort() {
        return database.port();
    }

    /**
     * The embedded server's version.
     *
     * @return e.g. {@code 18.1}
     */
    public synchronized String postgresVersion() {
        return postgresVersion;
    }

    /**
     * The folder holding the embedded server's files, deleted by {@link #close()}.
     *
     * @return the folder
     */
    public synchronized Path dataFolder() {
        return database.server().root();
    }

    /**
     * How to connect with psql.
     *
     * @return the command line
     */
    public synchronized String psqlCommand() {
        return "psql \"host=127.0.0.1 port=" + server.address().getPort() + " dbname=" + DemoDatabase.NAME + " user=demo\"";
    }

    /**
     * How to connect with JDBC.
     *
     * @return the URL
     */
    public synchronized String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + server.address().getPort() + "/" + DemoDatabase.NAME + "?user=demo";
    }

    /** Stops the proxy, then PostgreSQL, and deletes PostgreSQL's folder. Safe to call more than once. */
    @Override
    public synchronized void close() {
        closed = true;
        try {
            if (server != null) {
                server.close();
            }
        } finally {
            server = null;
            if (database != null) {
                database.close();
            }
        }
    }
}
