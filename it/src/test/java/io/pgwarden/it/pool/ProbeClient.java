package io.pgwarden.it.pool;

import java.io.IOException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.postgresql.PGConnection;

/**
 * One client of the state-leak tests, pgjdbc or raw protocol alike: runs statements, reads one row as text, and
 * tells which settings the proxy reported to it with ParameterStatus.
 */
interface ProbeClient extends AutoCloseable {

    /** Runs a statement that returns no rows (a SET, BEGIN, COMMIT). */
    void run(String sql) throws Exception;

    /** Runs a query and returns its first row as text. */
    List<String> row(String sql) throws Exception;

    /** The latest ParameterStatus value per name the client received. */
    Map<String, String> reported() throws Exception;

    @Override
    void close() throws Exception;

    /** A pgjdbc connection in autocommit mode: BEGIN and COMMIT are sent as statements. */
    static ProbeClient jdbc(Connection connection) {
        return new ProbeClient() {
            @Override
            public void run(String sql) throws SQLException {
                try (Statement statement = connection.createStatement()) {
                    statement.execute(sql);
                }
            }

            @Override
            public List<String> row(String sql) throws SQLException {
                try (Statement statement = connection.createStatement(); ResultSet rs = statement.executeQuery(sql)) {
                    if (!rs.next()) {
                        throw new AssertionError("no row from " + sql);
                    }
                    List<String> row = new ArrayList<>();
                    for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                        row.add(rs.getString(i));
                    }
                    return row;
                }
            }

            @Override
            public Map<String, String> reported() throws SQLException {
                return connection.unwrap(PGConnection.class).getParameterStatuses();
            }

            @Override
            public void close() throws SQLException {
                connection.close();
            }
        };
    }

    /** A raw protocol session, simple queries only. */
    static ProbeClient raw(RawSession session) {
        return new ProbeClient() {
            @Override
            public void run(String sql) throws IOException {
                session.run(sql);
            }

            @Override
            public List<String> row(String sql) throws IOException {
                return session.row(sql);
            }

            @Override
            public Map<String, String> reported() {
                return session.parameterStatus();
            }

            @Override
            public void close() throws IOException {
                session.close();
            }
        };
    }
}
