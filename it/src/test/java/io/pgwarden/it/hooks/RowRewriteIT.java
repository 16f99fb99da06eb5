package io.pgwarden.it.hooks;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgwarden.testkit.ProxyFixture;
import io.pgwarden.it.robust.ProxyConfigs;
import io.pgwarden.spi.ColumnInfo;
import io.pgwarden.testkit.EmbeddedPostgres;
import io.pgwarden.testkit.LeakCheckExtension;
import io.pgwarden.testkit.RawMessage;
import io.pgwarden.testkit.RawPgClient;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * onRow end to end: a row interceptor that claims result sets with a column named {@code secret} changes only
 * that column's values, in text and binary format, as pgjdbc sees them; result sets it does not claim reach the
 * client byte for byte as PostgreSQL sent them.
 */
@ExtendWith(LeakCheckExtension.class)
class RowRewriteIT {

    private static final String SELECT_PEOPLE = "SELECT id, name, secret, note FROM people ORDER BY id";
    /** id, name, secret, note. */
    private static final List<List<String>> PEOPLE = List.of(
            Arrays.asList("1", "alice", "short", "first"),
            Arrays.asList("2", "bob", "shrink this rather long secret value", null),
            Arrays.asList("3", "carol", "to-empty", "third"),
            Arrays.asList("4", "dave", "to-null", "fourth"),
            Arrays.asList("5", "eve", null, "fifth"),
            Arrays.asList("6", "zoë", "ünïcödé ✓", ""));

    private static EmbeddedPostgres postgres;
    private static ProxyFixture proxy;

    @BeforeAll
    static void start() throws Exception {
        postgres = EmbeddedPostgres.start();
        postgres.execute("postgres", "CREATE TABLE people (id int PRIMARY KEY, name text, secret text, note text)");
        for (List<String> row : PEOPLE) {
            postgres.execute("postgres", "INSERT INTO people VALUES (" + row.get(0) + ", " + literal(row.get(1)) + ", "
                    + literal(row.get(2)) + ", " + literal(row.get(3)) + ")");
        }
        proxy = ProxyConfigs.start(ProxyConfigs.yaml(postgres.port(), "{ mode: disable }",
                "plugins: [ { type: test-secret-rewrite, column: secret } ]"));
    }

    @AfterAll
    static void stop() {
        if (proxy != null) {
            proxy.close();
        }
        if (postgres != null) {
            postgres.close();
        }
    }

    @BeforeEach
    void forgetClaims() {
        SecretColumnRewriter.CLAIMED.clear();
    }

    @Test
    void simpleProtocolTextRowsHaveOnlyTheSecretColumnRewritten() throws Exception {
        List<List<String>> rows = query("preferQueryMode=simple", SELECT_PEOPLE);

        assertThat(rows).isEqualTo(expectedPeople());
        assertThat(SecretColumnRewriter.CLAIMED).extracting(ColumnInfo::binary).containsExactly(false);
    }

    @Test
    void binaryRowsOfADescribedPortalHaveOnlyTheSecretColumnRewritten() throws Exception {
        try (RawPgClient client = loggedIn()) {
            client.send(concat(parse("", SELECT_PEOPLE), bindBinaryResults("", ""), describePortal(), execute(), sync()));
            List<RawMessage> messages = client.readUntilReadyForQuery();

            assertThat(messages).extracting(RawMessage::type).startsWith('1', '2', 'T').endsWith('C', 'Z');
            assertThat(binaryPeople(messages)).isEqualTo(expectedPeople());
        }
        assertThat(SecretColumnRewriter.CLAIMED).extracting(ColumnInfo::binary).containsExactly(true);
    }

    @Test
    void binaryRowsOfAPreparedStatementExecutedWithoutPortalDescribeAreRewritten() throws Exception {
        try (RawPgClient client = loggedIn()) {
            client.send(concat(parse("people", SELECT_PEOPLE), describeStatement("people"), sync()));
            assertThat(client.readUntilReadyForQuery()).extracting(RawMessage::type).containsExactly('1', 't', 'T', 'Z');
            client.send(concat(bindBinaryResults("", "people"), execute(), sync()));
            List<RawMessage> messages = client.readUntilReadyForQuery();

            assertThat(messages).extracting(RawMessage::type).startsWith('2', 'D').endsWith('C', 'Z');
            assertThat(binaryPeople(messages)).isEqualTo(expectedPeople());
        }
    }

    @Test
    void pgjdbcBinaryTransferRowsHaveOnlyTheSecretColumnRewritten() throws Exception {
        List<List<String>> rows = query("binaryTransfer=true&prepareThreshold=-1&binaryTransferEnable=25", SELECT_PEOPLE);

        assertThat(SecretColumnRewriter.CLAIMED).extracting(ColumnInfo::binary).containsExactly(true);
        assertThat(rows).isEqualTo(expectedPeople());
    }

    @Test
    void pgjdbcExtendedProtocolTextRowsHaveOnlyTheSecretColumnRewritten() throws Exception {
        List<List<String>> rows = query("preferQueryMode=extended&prepareThreshold=0", SELECT_PEOPLE);

        assertThat(rows).isEqualTo(expectedPeople());
        assertThat(SecretColumnRewriter.CLAIMED).extracting(ColumnInfo::binary).containsExactly(false);
    }

    @Test
    void rowsFetchedInBatchesThroughAPortalAreAllRewritten() throws Exception {
        try (Connection connection = DriverManager.getConnection(url("preferQueryMode=extended"))) {
            connection.setAutoCommit(false);
            try (Statement statement = connection.createStatement()) {
                statement.setFetchSize(2);
                List<List<String>> rows = new ArrayList<>();
                try (ResultSet rs = statement.executeQuery(SELECT_PEOPLE)) {
                    while (rs.next()) {
                        rows.add(Arrays.asList(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4)));
                    }
                }
                assertThat(rows).isEqualTo(expectedPeople());
            }
            connection.rollback();
        }
    }

    @Test
    void everyExecutionOfAServerPreparedStatementIsRewritten() throws Exception {
        try (Connection connection = DriverManager.getConnection(url("preferQueryMode=extended&prepareThreshold=2"));
             java.sql.PreparedStatement statement = connection.prepareStatement("SELECT id, secret FROM people WHERE id = ?")) {
            for (int execution = 1; execution <= 4; execution++) {
                statement.setInt(1, 1);
                try (ResultSet rs = statement.executeQuery()) {
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getString("secret")).as("execution %d", execution)
                            .isEqualTo(SecretColumnRewriter.rewrite("short"));
                }
            }
        }
    }

    @Test
    void firstBatchOfAPortalFetchedWithAFetchSizeIsRewritten() throws Exception {
        try (Connection connection = DriverManager.getConnection(url("preferQueryMode=extended"))) {
            connection.setAutoCommit(false);
            try (Statement statement = connection.createStatement()) {
                statement.setFetchSize(2);
                try (ResultSet rs = statement.executeQuery(SELECT_PEOPLE)) {
                    for (int i = 0; i < 2; i++) {
                        assertThat(rs.next()).isTrue();
                        assertThat(rs.getString("secret")).isEqualTo(SecretColumnRewriter.rewrite(PEOPLE.get(i).get(2)));
                    }
                }
            }
            connection.rollback();
        }
    }

    @Test
    void claimEndsWithItsResultSetSoTheNextResultSetOfTheSameQueryIsUntouched() throws Exception {
        String url = url("preferQueryMode=simple");
        try (Connection connection = DriverManager.getConnection(url); Statement statement = connection.createStatement()) {
            assertThat(statement.execute("SELECT secret FROM people WHERE id = 1; SELECT 'short' AS plain, 'to-null' AS other"))
                    .isTrue();
            try (ResultSet first = statement.getResultSet()) {
                assertThat(first.next()).isTrue();
                assertThat(first.getString(1)).isEqualTo(SecretColumnRewriter.rewrite("short"));
            }
            assertThat(statement.getMoreResults()).isTrue();
            try (ResultSet second = statement.getResultSet()) {
                assertThat(second.next()).isTrue();
                assertThat(second.getString(1)).isEqualTo("short");
                assertThat(second.getString(2)).isEqualTo("to-null");
            }
        }
    }

    @Test
    void unclaimedResultSetsArriveByteIdenticalToWhatPostgresSends() throws Exception {
        List<String> queries = List.of(
                "SELECT id, name, note, NULL::text AS secrets FROM people ORDER BY id",
                "SELECT g, repeat(md5(g::text), g % 40) AS payload, CASE WHEN g % 7 = 0 THEN NULL ELSE g END AS maybe"
                        + " FROM generate_series(1, 5000) AS g",
                "SELECT 1 WHERE false",
                "SELECT * FROM no_such_table");
        for (String sql : queries) {
            List<RawMessage> direct = resultMessages(postgres.port(), sql);
            List<RawMessage> proxied = resultMessages(proxy.port(), sql);

            assertThat(proxied).as(sql).isEqualTo(direct);
        }
        assertThat(SecretColumnRewriter.CLAIMED).isEmpty();
    }

    /** The messages of one simple query, from the first after the Query through the last before ReadyForQuery. */
    @Test
    void rowInterceptorThatFailsEndsTheSessionInsteadOfLeakingTheRow() throws Exception {
        try (RawPgClient client = loggedIn()) {
            client.sendQuery("SELECT 'first' AS secret UNION ALL SELECT '" + SecretColumnRewriter.EXPLODE + "'");
            List<RawMessage> received = new ArrayList<>();
            RawMessage message;
            do {
                message = client.readMessage();
                received.add(message);
            } while (message.type() != 'E' && message.type() != 'Z');
            assertThat(message.type()).isEqualTo('E');
            assertThat(message.severity()).isEqualTo("FATAL");
            assertThat(message.sqlState()).isEqualTo("XX000");
            assertThat(received).filteredOn(m -> m.type() == 'D')
                    .noneMatch(m -> new String(m.body(), StandardCharsets.UTF_8).contains(SecretColumnRewriter.EXPLODE));
            assertThat(client.isClosedByPeer(java.time.Duration.ofSeconds(5))).isTrue();
        }
    }

    private static List<RawMessage> resultMessages(int port, String sql) throws Exception {
        try (RawPgClient client = RawPgClient.connect("127.0.0.1", port)) {
            client.sendStartup(Map.of("user", "postgres", "database", "postgres"));
            List<RawMessage> startup = client.readUntilReadyForQuery();
            assertThat(startup).extracting(RawMessage::type).doesNotContain('E');
            client.sendQuery(sql);
            List<RawMessage> messages = new ArrayList<>(client.readUntilReadyForQuery());
            assertThat(messages.remove(messages.size() - 1).type()).isEqualTo('Z');
            assertThat(messages).isNotEmpty();
            client.sendTerminate();
            return messages;
        }
    }

    /** Decodes the DataRows of {@link #SELECT_PEOPLE} in binary format: int4 id, then three text columns. */
    private static List<List<String>> binaryPeople(List<RawMessage> messages) {
        List<List<String>> rows = new ArrayList<>();
        for (RawMessage message : messages) {
            assertThat(message.type()).as("%s", message).isNotEqualTo('E');
            if (message.type() != 'D') {
                continue;
            }
            ByteBuffer body = ByteBuffer.wrap(message.body());
            int count = body.getShort();
            List<String> row = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                int length = body.getInt();
                if (length < 0) {
                    row.add(null);
                } else if (i == 0) {
                    assertThat(length).isEqualTo(4);
                    row.add(Integer.toString(body.getInt()));
                } else {
                    byte[] value = new byte[length];
                    body.get(value);
                    row.add(new String(value, StandardCharsets.UTF_8));
                }
            }
            assertThat(body.hasRemaining()).isFalse();
            rows.add(row);
        }
        return rows;
    }

    private static RawPgClient loggedIn() throws Exception {
        RawPgClient client = RawPgClient.connect("127.0.0.1", proxy.port());
        client.sendStartup(Map.of("user", "postgres", "database", "postgres"));
        assertThat(client.readUntilReadyForQuery()).extracting(RawMessage::type).doesNotContain('E');
        return client;
    }

    private static byte[] parse(String name, String sql) {
        return message('P', cstring(name), cstring(sql), new byte[] {0, 0});
    }

    /** Bind with no parameters and one result format code, binary, for every column. */
    private static byte[] bindBinaryResults(String portal, String statement) {
        return message('B', cstring(portal), cstring(statement), new byte[] {0, 0, 0, 0, 0, 1, 0, 1});
    }

    private static byte[] describePortal() {
        return message('D', new byte[] {'P'}, cstring(""));
    }

    private static byte[] describeStatement(String name) {
        return message('D', new byte[] {'S'}, cstring(name));
    }

    private static byte[] execute() {
        return message('E', cstring(""), new byte[] {0, 0, 0, 0});
    }

    private static byte[] sync() {
        return message('S');
    }

    private static byte[] message(char type, byte[]... parts) {
        byte[] body = concat(parts);
        return ByteBuffer.allocate(5 + body.length).put((byte) type).putInt(4 + body.length).put(body).array();
    }

    private static byte[] cstring(String text) {
        return (text + "\0").getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    private static List<List<String>> expectedPeople() {
        List<List<String>> expected = new ArrayList<>();
        for (List<String> row : PEOPLE) {
            List<String> copy = new ArrayList<>(row);
            copy.set(2, SecretColumnRewriter.rewrite(row.get(2)));
            expected.add(copy);
        }
        return expected;
    }

    private static List<List<String>> query(String options, String sql) throws SQLException {
        try (Connection connection = DriverManager.getConnection(url(options)); Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery(sql)) {
            List<List<String>> rows = new ArrayList<>();
            int columns = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                List<String> row = new ArrayList<>();
                for (int i = 1; i <= columns; i++) {
                    row.add(rs.getString(i));
                }
                rows.add(row);
            }
            return rows;
        }
    }

    private static String url(String options) {
        return "jdbc:postgresql://127.0.0.1:" + proxy.port() + "/postgres?user=postgres&sslmode=disable&" + options;
    }

    private static String literal(String value) {
        return value == null ? "NULL" : "'" + value.replace("'", "''") + "'";
    }
}
