package io.pgwarden.it.clients;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/** Result sets as lists of text values, so that what the proxy returns can be compared with the server's. */
final class Rows {

    private Rows() {
    }

    /** Every row of {@code rs}, each column read with {@code getString}. */
    static List<List<String>> of(ResultSet rs) throws SQLException {
        int columns = rs.getMetaData().getColumnCount();
        List<List<String>> rows = new ArrayList<>();
        while (rs.next()) {
            List<String> row = new ArrayList<>(columns);
            for (int i = 1; i <= columns; i++) {
                row.add(rs.getString(i));
            }
            rows.add(row);
        }
        return rows;
    }

    /** Runs one query on {@code connection} and returns its rows. */
    static List<List<String>> query(Connection connection, String sql) throws SQLException {
        try (Statement statement = connection.createStatement(); ResultSet rs = statement.executeQuery(sql)) {
            return of(rs);
        }
    }

    /** The single value of a one-row, one-column query. */
    static String scalar(Connection connection, String sql) throws SQLException {
        List<List<String>> rows = query(connection, sql);
        if (rows.size() != 1 || rows.get(0).size() != 1) {
            throw new AssertionError("expected one value from " + sql + ", got " + rows);
        }
        return rows.get(0).get(0);
    }
}
