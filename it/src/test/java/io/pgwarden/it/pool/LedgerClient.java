package io.pgwarden.it.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDateTime;
import java.util.Arrays;
import java.util.List;

/**
 * One pgjdbc client of the prepared-statement tests: transactions of prepared statements with int, text,
 * timestamp, numeric and bytea parameters and results, each result checked against a value computed in Java,
 * and a row per transaction in table {@code ledger (client, tx, amount, payload)}.
 *
 * <p>The first four statements run in an order that depends on the client, so that pgjdbc's statement names
 * ({@code S_1}, {@code S_2}, ...) stand for different SQL in different clients sharing a server.
 */
final class LedgerClient {

    private static final LocalDateTime EPOCH = LocalDateTime.of(2000, 1, 1, 0, 0);

    private final Connection connection;
    private final int client;
    private BigDecimal total = BigDecimal.ZERO.setScale(2);

    LedgerClient(Connection connection, int client) {
        this.connection = connection;
        this.client = client;
    }

    /**
     * Runs transaction {@code tx} and checks every result.
     *
     * @return the backend pid the transaction ran on
     */
    int transaction(int tx) throws SQLException {
        int n = client * 100 + tx;
        connection.setAutoCommit(false);
        int pid = pid();
        List<Check> checks = List.of(() -> checkArithmetic(n), () -> checkTimestamp(n), () -> checkNumeric(n),
                () -> checkBytea(n));
        for (int i = 0; i < checks.size(); i++) {
            checks.get((i + client) % checks.size()).run();
        }
        BigDecimal amount = BigDecimal.valueOf(n - 5000L, 2);
        try (PreparedStatement insert = connection.prepareStatement(
                "INSERT INTO ledger (client, tx, amount, payload) VALUES (?, ?, ?, ?)")) {
            insert.setInt(1, client);
            insert.setInt(2, tx);
            insert.setBigDecimal(3, amount);
            insert.setBytes(4, payload(n));
            assertThat(insert.executeUpdate()).isEqualTo(1);
        }
        total = total.add(amount);
        try (PreparedStatement sum = connection.prepareStatement(
                "SELECT count(*), sum(amount), (array_agg(payload) FILTER (WHERE tx = ?))[1] FROM ledger WHERE client = ?")) {
            sum.setInt(1, tx);
            sum.setInt(2, client);
            try (ResultSet rs = sum.executeQuery()) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getLong(1)).as("rows of client %d", client).isEqualTo(tx + 1L);
                assertThat(rs.getBigDecimal(2)).as("sum of client %d", client).isEqualTo(total);
                assertThat(rs.getBytes(3)).as("payload of client %d", client).isEqualTo(payload(n));
            }
        }
        assertThat(pid()).as("a transaction stays on one server").isEqualTo(pid);
        connection.commit();
        connection.setAutoCommit(true);
        return pid;
    }

    /** Runs the four pure statements twice (so pgjdbc uses their names) with values derived from {@code n}. */
    static void assertSelects(Connection connection, int n) throws SQLException {
        LedgerClient probe = new LedgerClient(connection, n);
        for (int round = 0; round < 2; round++) {
            probe.checkArithmetic(n + round);
            probe.checkTimestamp(n + round);
            probe.checkNumeric(n + round);
            probe.checkBytea(n + round);
        }
    }

    private int pid() throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement("SELECT pg_backend_pid()");
             ResultSet rs = statement.executeQuery()) {
            assertThat(rs.next()).isTrue();
            return rs.getInt(1);
        }
    }

    private void checkArithmetic(int n) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement("SELECT ?::int4 * 7, ?::text || ':' || ?::int4")) {
            statement.setInt(1, n);
            statement.setString(2, "client " + client);
            statement.setInt(3, n);
            try (ResultSet rs = statement.executeQuery()) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getInt(1)).isEqualTo(n * 7);
                assertThat(rs.getString(2)).isEqualTo("client " + client + ":" + n);
            }
        }
    }

    private void checkTimestamp(int n) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(
                "SELECT TIMESTAMP '2000-01-01 00:00:00' + ?::int4 * INTERVAL '1 second' + INTERVAL '0.125 second'")) {
            statement.setInt(1, n);
            try (ResultSet rs = statement.executeQuery()) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getObject(1, LocalDateTime.class)).isEqualTo(EPOCH.plusSeconds(n).plusNanos(125_000_000));
            }
        }
    }

    private void checkNumeric(int n) throws SQLException {
        BigDecimal value = new BigDecimal((n - 10_000) + ".000123");
        try (PreparedStatement statement = connection.prepareStatement("SELECT ?::numeric(20,6) * 3")) {
            statement.setBigDecimal(1, value);
            try (ResultSet rs = statement.executeQuery()) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getBigDecimal(1)).isEqualTo(value.multiply(BigDecimal.valueOf(3)));
            }
        }
    }

    private void checkBytea(int n) throws SQLException {
        byte[] payload = payload(n);
        try (PreparedStatement statement = connection.prepareStatement("SELECT sha256(?), length(?), ? || '\\x00ff'::bytea")) {
            statement.setBytes(1, payload);
            statement.setBytes(2, payload);
            statement.setBytes(3, payload);
            try (ResultSet rs = statement.executeQuery()) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getBytes(1)).isEqualTo(sha256(payload));
                assertThat(rs.getInt(2)).isEqualTo(payload.length);
                byte[] expected = Arrays.copyOf(payload, payload.length + 2);
                expected[payload.length + 1] = (byte) 0xff;
                assertThat(rs.getBytes(3)).isEqualTo(expected);
            }
        }
    }

    private static byte[] payload(int n) {
        byte[] bytes = new byte[1 + Math.floorMod(n, 300)];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) (n + i * 31);
        }
        return bytes;
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    @FunctionalInterface
    private interface Check {
        void run() throws SQLException;
    }
}
