package io.pgwarden.it.clients;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.pgwarden.testkit.EmbeddedPostgres;
import io.pgwarden.testkit.LeakCheckExtension;
import java.io.StringReader;
import java.io.StringWriter;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import org.postgresql.copy.CopyManager;

/** Large and binary data through the proxy: COPY both ways, a streamed million-row result, binary-format values. */
@ExtendWith(LeakCheckExtension.class)
class PgjdbcBulkTransferIT {

    private static final int COPY_ROWS = 100_000;

    private static ProxiedPostgres pg;

    @BeforeAll
    static void start() {
        pg = ProxiedPostgres.start(EmbeddedPostgres.builder(), ProxiedPostgres.PASSTHROUGH_FOR_ALL);
    }

    @AfterAll
    static void stop() {
        if (pg != null) {
            pg.close();
        }
    }

    @Test
    void copyFromStdinLoadsAHundredThousandRowsIntact() throws Exception {
        StringBuilder data = new StringBuilder();
        for (int i = 1; i <= COPY_ROWS; i++) {
            data.append(i).append('\t').append("payload ").append(i).append(" \u00e9\u4e2d").append('\n');
        }
        try (Connection connection = pg.viaProxy("")) {
            try (Statement statement = connection.createStatement()) {
                statement.execute("CREATE TABLE copy_in (id int PRIMARY KEY, payload text NOT NULL)");
            }
            CopyManager copy = connection.unwrap(PGConnection.class).getCopyAPI();
            long copied = copy.copyIn("COPY copy_in (id, payload) FROM STDIN", new StringReader(data.toString()));
            assertThat(copied).isEqualTo(COPY_ROWS);
        }
        // Read back directly from the server: what arrived there is what the client sent.
        try (Connection direct = pg.direct("")) {
            String digest = Rows.scalar(direct,
                    "SELECT md5(string_agg(id || E'\\t' || payload || E'\\n', '' ORDER BY id)) FROM copy_in");
            assertThat(digest).isEqualTo(md5Hex(data.toString()));
        }
    }

    @Test
    void copyToStdoutStreamsAHundredThousandRowsIntact() throws Exception {
        StringBuilder expected = new StringBuilder();
        for (int i = 1; i <= COPY_ROWS; i++) {
            expected.append(i).append('\t').append("row ").append(i).append(i % 1000 == 0 ? "\t\\N" : "\tx").append('\n');
        }
        StringWriter out = new StringWriter();
        try (Connection connection = pg.viaProxy("")) {
            CopyManager copy = connection.unwrap(PGConnection.class).getCopyAPI();
            long copied = copy.copyOut("COPY (SELECT g, 'row ' || g, CASE WHEN g % 1000 = 0 THEN NULL ELSE 'x' END "
                    + "FROM generate_series(1, " + COPY_ROWS + ") g ORDER BY g) TO STDOUT", out);
            assertThat(copied).isEqualTo(COPY_ROWS);
            // The connection is back in a usable state after the copy.
            assertThat(Rows.scalar(connection, "SELECT 'after copy'")).isEqualTo("after copy");
        }
        assertThat(out.toString()).isEqualTo(expected.toString());
    }

    @Test
    void millionRowResultStreamedWithFetchSizeSumsCorrectly() throws Exception {
        try (Connection connection = pg.viaProxy("")) {
            connection.setAutoCommit(false);
            long sum = 0;
            long rows = 0;
            try (Statement statement = connection.createStatement()) {
                statement.setFetchSize(5_000);
                try (ResultSet rs = statement.executeQuery("SELECT g::int8 FROM generate_series(1, 1000000) g")) {
                    while (rs.next()) {
                        sum += rs.getLong(1);
                        rows++;
                    }
                }
            }
            connection.commit();
            assertThat(rows).isEqualTo(1_000_000L);
            assertThat(sum).isEqualTo(500_000_500_000L);
        }
    }

    @Test
    void binaryTransferRoundTripsValuesEqualToDirect() throws Exception {
        String options = "binaryTransfer=true&prepareThreshold=-1";
        byte[] blob = new byte[64 * 1024];
        new Random(20261121L).nextBytes(blob);
        try (Connection proxied = pg.viaProxy(options); Connection direct = pg.direct(options)) {
            List<Object> viaProxy = roundTrip(proxied, blob);
            assertThat(viaProxy).isEqualTo(roundTrip(direct, blob));
            assertThat(viaProxy.get(0)).isEqualTo(-2_147_483_648);
            assertThat(viaProxy.get(1)).isEqualTo(9_007_199_254_740_993L);
            assertThat(viaProxy.get(2)).isEqualTo(Math.PI);
            assertThat(viaProxy.get(3)).isEqualTo(new BigDecimal("-12345678901234567890.000000000123456789"));
            assertThat(viaProxy.get(4)).isEqualTo(HexFormat.of().formatHex(blob));
            assertThat(viaProxy.get(5)).isEqualTo(OffsetDateTime.parse("2024-02-29T23:59:58.123456Z"));
            assertThat(viaProxy.get(6)).isEqualTo(UUID.fromString("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"));
            assertThat(viaProxy.get(7)).isEqualTo(List.of(1, 2, 3));
            assertThat(viaProxy.get(8)).isEqualTo(List.of(1.5, -0.25));
            assertThat(viaProxy.get(9)).isEqualTo(List.of("a", "b c"));
        }
    }

    @Test
    void copyInWithABadRowFailsWith22P02AndTheConnectionStaysUsable() throws Exception {
        try (Connection connection = pg.viaProxy("")) {
            try (Statement statement = connection.createStatement()) {
                statement.execute("CREATE TABLE copy_bad (id int)");
            }
            CopyManager copy = connection.unwrap(PGConnection.class).getCopyAPI();
            StringBuilder data = new StringBuilder();
            for (int i = 1; i <= 10_000; i++) {
                data.append(i == 5_000 ? "not-a-number" : Integer.toString(i)).append('\n');
            }
            Throwable thrown = catchThrowable(() -> copy.copyIn("COPY copy_bad FROM STDIN", new StringReader(data.toString())));
            assertThat(thrown).isInstanceOf(SQLException.class);
            assertThat(((SQLException) thrown).getSQLState()).isEqualTo("22P02");
            assertThat(Rows.scalar(connection, "SELECT count(*) FROM copy_bad")).isEqualTo("0");
        }
    }

    @Test
    void copyInCancelledByTheClientLeavesNoRowsAndTheConnectionUsable() throws Exception {
        try (Connection connection = pg.viaProxy("")) {
            try (Statement statement = connection.createStatement()) {
                statement.execute("CREATE TABLE copy_cancelled (id int)");
            }
            CopyIn copyIn = connection.unwrap(PGConnection.class).getCopyAPI().copyIn("COPY copy_cancelled FROM STDIN");
            byte[] rows = "1\n2\n3\n".getBytes(StandardCharsets.US_ASCII);
            copyIn.writeToCopy(rows, 0, rows.length);
            copyIn.flushCopy();
            // CopyFail: pgjdbc expects the server's error in answer and reports none.
            copyIn.cancelCopy();
            assertThat(copyIn.isActive()).isFalse();
            assertThat(Rows.scalar(connection, "SELECT count(*) FROM copy_cancelled")).isEqualTo("0");
        }
    }

    @Test
    void tenMegabyteSimpleQueryTextPassesThrough() throws Exception {
        String literal = "y".repeat(10 * 1024 * 1024);
        try (Connection connection = pg.viaProxy("preferQueryMode=simple")) {
            assertThat(Rows.scalar(connection, "SELECT length('" + literal + "')")).isEqualTo(Integer.toString(literal.length()));
        }
    }

    @Test
    void twentyMegabyteValuesPassBothWays() throws Exception {
        byte[] big = new byte[20 * 1024 * 1024];
        new Random(7L).nextBytes(big);
        try (Connection connection = pg.viaProxy("");
             PreparedStatement statement = connection.prepareStatement("SELECT ?::bytea, md5(?::bytea), repeat('z', 20000000)")) {
            statement.setBytes(1, big);
            statement.setBytes(2, big);
            try (ResultSet rs = statement.executeQuery()) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getBytes(1)).isEqualTo(big);
                assertThat(rs.getString(2)).isEqualTo(HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(big)));
                String text = rs.getString(3);
                assertThat(text).hasSize(20_000_000);
                assertThat(text.chars().allMatch(c -> c == 'z')).isTrue();
            }
        }
    }

    private static List<Object> roundTrip(Connection connection, byte[] blob) throws Exception {
        String sql = "SELECT ?::int4, ?::int8, ?::float8, ?::numeric, ?::bytea, ?::timestamptz, ?::uuid, "
                + "?::int4[], ?::float8[], ?::text[]";
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setInt(1, Integer.MIN_VALUE);
            statement.setLong(2, 9_007_199_254_740_993L);
            statement.setDouble(3, Math.PI);
            statement.setBigDecimal(4, new BigDecimal("-12345678901234567890.000000000123456789"));
            statement.setBytes(5, blob);
            statement.setObject(6, OffsetDateTime.parse("2024-02-29T23:59:58.123456Z"));
            statement.setObject(7, UUID.fromString("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"));
            statement.setArray(8, connection.createArrayOf("int4", new Integer[] {1, 2, 3}));
            statement.setArray(9, connection.createArrayOf("float8", new Double[] {1.5, -0.25}));
            statement.setArray(10, connection.createArrayOf("text", new String[] {"a", "b c"}));
            try (ResultSet rs = statement.executeQuery()) {
                assertThat(rs.next()).isTrue();
                List<Object> values = new ArrayList<>();
                values.add(rs.getInt(1));
                values.add(rs.getLong(2));
                values.add(rs.getDouble(3));
                values.add(rs.getBigDecimal(4));
                values.add(HexFormat.of().formatHex(rs.getBytes(5)));
                values.add(rs.getObject(6, OffsetDateTime.class));
                values.add(rs.getObject(7, UUID.class));
                values.add(List.of((Object[]) rs.getArray(8).getArray()));
                values.add(List.of((Object[]) rs.getArray(9).getArray()));
                values.add(List.of((Object[]) rs.getArray(10).getArray()));
                assertThat(rs.next()).isFalse();
                return values;
            }
        }
    }

    private static String md5Hex(String text) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(text.getBytes(StandardCharsets.UTF_8)));
    }
}
