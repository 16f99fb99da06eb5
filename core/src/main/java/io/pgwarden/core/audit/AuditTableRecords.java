package io.pgwarden.core.audit;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The records of one stream of an audit table, ordered by seq and read through a cursor in pages of
 * {@link #FETCH_SIZE}, so a long stream is never held in memory. A read failure surfaces as
 * {@link AuditTableException} from {@link #hasNext()}.
 */
public final class AuditTableRecords implements Iterator<byte[]>, AutoCloseable {

    /** Rows fetched per round trip. */
    static final int FETCH_SIZE = 1000;
    private static final Pattern TABLE = Pattern.compile("([a-z_][a-z0-9_]{0,62}\\.)?[a-z_][a-z0-9_]{0,62}");

    private final PreparedStatement statement;
    private final ResultSet rows;
    private byte[] next;
    private boolean fetched;

    /**
     * Opens the cursor. The connection is left in a transaction (a cursor needs one) and is not closed here.
     *
     * @param connection to the audit database
     * @param table the table, {@code schema.table} or {@code table}, lower-case unquoted identifiers
     * @param stream the stream name
     * @throws SQLException when the query fails
     * @throws IllegalArgumentException when the table name is not of that form
     */
    public AuditTableRecords(Connection connection, String table, String stream) throws SQLException {
        Objects.requireNonNull(connection, "connection");
        requireTableName(table);
        connection.setAutoCommit(false);
        statement = connection.prepareStatement("SELECT record FROM " + table + " WHERE stream = ? ORDER BY seq");
        statement.setFetchSize(FETCH_SIZE);
        statement.setString(1, Objects.requireNonNull(stream, "stream"));
        rows = statement.executeQuery();
    }

    /**
     * Checks a table name before it goes into SQL.
     *
     * @param table the name
     * @throws IllegalArgumentException when it is not {@code schema.table} or {@code table} in plain lower-case identifiers
     */
    public static void requireTableName(String table) {
        if (!TABLE.matcher(Objects.requireNonNull(table, "table")).matches()) {
            throw new IllegalArgumentException("the table must be SCHEMA.TABLE or TABLE in lower-case letters, digits and underscores: "
                    + table);
        }
    }

    @Override
    public boolean hasNext() {
        if (!fetched) {
            try {
                next = rows.next() ? rows.getString(1).getBytes(StandardCharsets.UTF_8) : null;
            } catch (SQLException e) {
                throw new AuditTableException("reading the audit table failed: " + e.getMessage(), e);
            }
            fetched = true;
        }
        return next != null;
    }

    @Override
    public byte[] next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        fetched = false;
        return next;
    }

    @Override
    public void close() throws SQLException {
        try (statement; rows) {
            statement.getConnection().rollback();
        }
    }

    /** Reading the table failed part way. */
    public static final class AuditTableException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        AuditTableException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
