package io.pgwarden.spi;

import java.io.Reader;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.util.concurrent.Executor;
import javax.sql.DataSource;

/**
 * What the core offers plugins. One instance per plugin entry.
 */
public interface Services {

    /**
     * Counters, gauges and timers, published with the proxy's own metrics.
     *
     * @return the registry
     */
    Metrics metrics();

    /**
     * A logger named after the plugin, writing to the proxy's log. Never log a secret.
     *
     * @return the logger
     */
    System.Logger logger();

    /**
     * A bounded executor for blocking work (I/O, JDBC). Hooks that use it return
     * {@link Decision#later}.
     *
     * @return the executor
     */
    Executor blockingExecutor();

    /**
     * The clock; tests may substitute it.
     *
     * @return the clock
     */
    Clock clock();

    /**
     * Resolves a secret reference: {@code ${env:NAME}} reads an environment variable,
     * {@code ${file:/path}} reads a file (trailing newline removed). Any other text is returned
     * unchanged.
     *
     * @param reference the reference
     * @return the secret
     * @throws PluginConfigException when the variable or file does not exist
     */
    String resolveSecret(String reference);

    /**
     * A pooled JDBC connection to a named backend, for side work (look-ups, provisioning).
     * Data sources are shared between plugins that ask for the same backend, database and user,
     * and closed by the core.
     *
     * @param backend the backend name from the configuration
     * @param database the database
     * @param user the user
     * @param password the password, already resolved; {@code null} for none
     * @return the data source
     * @throws IllegalArgumentException when no backend has that name
     */
    DataSource dataSource(String backend, String database, String user, String password);

    /**
     * Runs {@code COPY ... FROM STDIN} on a connection from {@link #dataSource} and streams
     * {@code data} to it, in the COPY's format. JDBC has no COPY; this is the proxy's driver
     * doing it, for plugins that write in bulk.
     *
     * @param connection a connection obtained from {@link #dataSource}
     * @param copyStatement the statement, e.g. {@code COPY audit.events (seq, record) FROM STDIN}
     * @param data the rows, read to its end
     * @return the number of rows copied
     * @throws SQLException when the server refuses the COPY or the connection fails
     * @throws IllegalArgumentException when the connection did not come from {@link #dataSource}
     * @since 1.4
     */
    default long copyIn(Connection connection, String copyStatement, Reader data)
            throws SQLException {
        throw new UnsupportedOperationException("copyIn needs pgwarden SPI 1.4");
    }
}
