package io.pgwarden.plugin.audit;

import io.pgwarden.spi.Services;
import java.io.StringReader;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * The audit table of the table sink, over one connection from {@link Services#dataSource} that is opened when
 * needed and dropped after any failure: creates the schema and table when missing, reads a stream's last record,
 * and copies records in with {@link Services#copyIn}. Used by the table sink's thread only.
 */
final class AuditTable {

    private final Services services;
    private final DataSource dataSource;
    private final String table;
    private final String stream;
    private Connection connection;
    private boolean created;

    /**
     * A table.
     *
     * @param services for {@code copyIn}
     * @param dataSource the audit database
     * @param table {@code schema.table} or {@code table}, checked by the configuration to be plain identifiers
     * @param stream the stream name
     */
    AuditTable(Services services, DataSource dataSource, String table, String stream) {
        this.services = Objects.requireNonNull(services, "services");
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        this.table = Objects.requireNonNull(table, "table");
        this.stream = Objects.requireNonNull(stream, "stream");
    }

    /**
     * The stream's record with the highest seq, creating the schema and table first when missing.
     *
     * @return the record, empty for a new stream
     * @throws SQLException when the database cannot be reached or refuses
     */
    Optional<String> lastRecord() throws SQLException {
        return run(() -> {
            try (PreparedStatement query = connection().prepareStatement(
                    "SELECT record FROM " + table + " WHERE stream = ? ORDER BY seq DESC LIMIT 1")) {
                query.setString(1, stream);
                try (ResultSet rows = query.executeQuery()) {
                    return rows.next() ? Optional.of(rows.getString(1)) : Optional.empty();
                }
            }
        });
    }

    /**
     * The stream's highest seq, -1 for a new stream.
     *
     * @return the seq
     * @throws SQLException when the database cannot be reached or refuses
     */
    long maxSeq() throws SQLException {
        return run(() -> {
            try (PreparedStatement query = connection().prepareStatement("SELECT max(seq) FROM " + table + " WHERE stream = ?")) {
                query.setString(1, stream);
                try (ResultSet rows = query.executeQuery()) {
                    rows.next();
                    long max = rows.getLong(1);
                    return rows.wasNull() ? -1L : max;
                }
            }
        });
    }

    /**
     * Copies records in one COPY, which commits them all or none.
     *
     * @param records chained records
     * @throws SQLException when the database cannot be reached or refuses
     */
    void copy(List<String> records) throws SQLException {
        if (records.isEmpty()) {
            return;
        }
        String rows = CopyText.rows(stream, records);
        run(() -> services.copyIn(connection(), "COPY " + table + " " + CopyText.COLUMNS + " FROM STDIN", new StringReader(rows)));
    }

    /** Closes the connection. */
    void disconnect() {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException ignored) {
                // Already broken; a new connection is opened for the next attempt.
            }
            connection = null;
        }
    }

    private Connection connection() throws SQLException {
        if (connection == null) {
            connection = dataSource.getConnection();
            connection.setAutoCommit(true);
        }
        if (!created) {
            try (Statement statement = connection.createStatement()) {
                int dot = table.indexOf('.');
                if (dot > 0) {
                    statement.execute("CREATE SCHEMA IF NOT EXISTS " + table.substring(0, dot));
                }
                statement.execute("CREATE TABLE IF NOT EXISTS " + table + " (stream text NOT NULL, seq bigint NOT NULL,"
                        + " time timestamptz NOT NULL, type text NOT NULL, record text NOT NULL, PRIMARY KEY (stream, seq))");
            }
            created = true;
        }
        return connection;
    }

    private <T> T run(Query<T> query) throws SQLException {
        try {
            return query.run();
        } catch (SQLException | RuntimeException e) {
            disconnect();
            throw e instanceof SQLException sql ? sql : new SQLException(e.getMessage(), e);
        }
    }

    /** One use of the connection. */
    @FunctionalInterface
    private interface Query<T> {
        T run() throws SQLException;
    }
}
