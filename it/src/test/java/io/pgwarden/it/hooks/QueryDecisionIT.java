package io.pgwarden.it.hooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgwarden.testkit.ProxyFixture;
import io.pgwarden.it.robust.ProxyConfigs;
import io.pgwarden.testkit.EmbeddedPostgres;
import io.pgwarden.testkit.LeakCheckExtension;
import io.pgwarden.testkit.RawMessage;
import io.pgwarden.testkit.RawPgClient;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

/**
 * onQuery decisions end to end through pgjdbc and a raw client: reject, rewrite, respond, a failing hook and
 * a late decision, in the simple and the extended protocol.
 */
@ExtendWith(LeakCheckExtension.class)
class QueryDecisionIT {

    private static final String SIMPLE = "preferQueryMode=simple";
    private static final String EXTENDED = "preferQueryMode=extended";

    private static EmbeddedPostgres postgres;
    private static ProxyFixture proxy;

    @BeforeAll
    static void start() throws Exception {
        postgres = EmbeddedPostgres.start();
        postgres.execute("postgres", "CREATE TABLE keep_me (id int)", "INSERT INTO keep_me VALUES (1), (2)");
        proxy = ProxyConfigs.start(ProxyConfigs.yaml(postgres.port(), "{ mode: disable }",
                "plugins: [ { type: test-statement-policy } ]"));
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

    @ParameterizedTest
    @ValueSource(strings = {SIMPLE, EXTENDED})
    void rejectedStatementOutsideATransactionFailsWithItsSqlStateAndTheSessionGoesOn(String mode) throws Exception {
        try (Connection connection = connect(mode); Statement statement = connection.createStatement()) {
            assertThatThrownBy(() -> statement.execute("DROP TABLE keep_me"))
                    .isInstanceOfSatisfying(PSQLException.class, e -> {
                        ServerErrorMessage error = e.getServerErrorMessage();
                        assertThat(error.getSQLState()).isEqualTo("42501");
                        assertThat(error.getMessage()).isEqualTo(StatementPolicy.REJECT_MESSAGE);
                        assertThat(error.getHint()).isEqualTo(StatementPolicy.REJECT_HINT);
                        assertThat(error.getSeverity()).isEqualTo("ERROR");
                    });

            assertThat(single(statement, "SELECT count(*) FROM keep_me")).isEqualTo("2");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {SIMPLE, EXTENDED})
    void rejectedStatementInsideATransactionAbortsItAsPostgresWould(String mode) throws Exception {
        try (Connection connection = connect(mode); Statement statement = connection.createStatement()) {
            connection.setAutoCommit(false);
            statement.execute("INSERT INTO keep_me VALUES (3)");
            assertThatThrownBy(() -> statement.execute("drop table keep_me"))
                    .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("42501"));
            assertThatThrownBy(() -> statement.execute("SELECT 1"))
                    .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("25P02"));
            connection.rollback();
            connection.setAutoCommit(true);

            assertThat(single(statement, "SELECT count(*) FROM keep_me")).isEqualTo("2");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {SIMPLE, EXTENDED})
    void rewriteChangesWhatTheServerRuns(String mode) throws Exception {
        try (Connection connection = connect(mode); Statement statement = connection.createStatement()) {
            assertThat(single(statement, "SELECT 'original'")).isEqualTo("rewritten");
            assertThat(single(statement, "SELECT 'original' AS untouched_because_text_differs")).isEqualTo("original");
        }
    }

    @Test
    void rewriteAppliesToPreparedStatementsWithParameters() throws Exception {
        try (Connection connection = connect("prepareThreshold=1");
             PreparedStatement statement = connection.prepareStatement("SELECT 'original'")) {
            for (int i = 0; i < 3; i++) {
                try (ResultSet rs = statement.executeQuery()) {
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getString(1)).isEqualTo("rewritten");
                }
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {SIMPLE, EXTENDED})
    void rewriteKeepsTheParametersOfAPreparedStatement(String mode) throws Exception {
        try (Connection connection = connect(mode + "&prepareThreshold=1");
             PreparedStatement statement = connection.prepareStatement(
                     "SELECT " + StatementPolicy.ADD_1000 + "?::int, ?::text || '!'")) {
            for (int i = 0; i < 3; i++) {
                statement.setInt(1, i);
                statement.setString(2, "call " + i);
                try (ResultSet rs = statement.executeQuery()) {
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getInt(1)).isEqualTo(1000 + i);
                    assertThat(rs.getString(2)).isEqualTo("call " + i + "!");
                }
            }
        }
    }

    @Test
    void respondAnswersASimpleQueryWithTheGivenRowsAndCommandTag() throws Exception {
        try (RawPgClient client = loggedIn()) {
            client.sendQuery("SHOW pgwarden_answer");
            List<RawMessage> messages = client.readUntilReadyForQuery();

            assertThat(messages).extracting(RawMessage::type).containsExactly('T', 'D', 'D', 'D', 'C', 'Z');
            assertThat(new String(messages.get(4).body(), StandardCharsets.UTF_8)).isEqualTo("SHOW 3\0");
            assertThat(messages.get(5).transactionStatus()).isEqualTo('I');
        }
        try (Connection connection = connect(SIMPLE); Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery("SHOW pgwarden_answer")) {
            assertThat(rs.getMetaData().getColumnLabel(1)).isEqualTo("name");
            assertThat(rs.getMetaData().getColumnLabel(2)).isEqualTo("value");
            List<List<String>> rows = new ArrayList<>();
            while (rs.next()) {
                rows.add(java.util.Arrays.asList(rs.getString(1), rs.getString(2)));
            }
            assertThat(rows).isEqualTo(StatementPolicy.ANSWER.rows());
        }
    }

    @Test
    void respondToAnExtendedProtocolStatementIsRefusedAsNotSupportedAndTheSessionGoesOn() throws Exception {
        try (Connection connection = connect(EXTENDED); Statement statement = connection.createStatement()) {
            assertThatThrownBy(() -> statement.executeQuery("SHOW pgwarden_answer"))
                    .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("0A000"));

            assertThat(single(statement, "SELECT 'still here'")).isEqualTo("still here");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {SIMPLE, EXTENDED})
    void throwingInterceptorGivesTheClientAnInternalErrorAndTheSessionGoesOn(String mode) throws Exception {
        try (Connection connection = connect(mode); Statement statement = connection.createStatement()) {
            assertThatThrownBy(() -> statement.execute("SELECT 'pgwarden_throw'"))
                    .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("XX000"));

            assertThat(single(statement, "SELECT 40 + 2")).isEqualTo("42");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {SIMPLE, EXTENDED})
    void lateDecisionIsAwaitedAndApplied(String mode) throws Exception {
        try (Connection connection = connect(mode); Statement statement = connection.createStatement()) {
            long start = System.nanoTime();
            String result = single(statement, "SELECT 'pgwarden_slow'");
            long millis = (System.nanoTime() - start) / 1_000_000;

            assertThat(result).isEqualTo("late");
            assertThat(millis).isGreaterThanOrEqualTo(StatementPolicy.SLOW_MILLIS - 10);
        }
    }

    @Test
    void statementsPipelinedBehindALateDecisionWaitAndKeepTheirOrder() throws Exception {
        try (RawPgClient client = loggedIn()) {
            byte[] slow = query("SELECT 'pgwarden_slow'");
            byte[] next = query("SELECT 'after'");
            byte[] both = new byte[slow.length + next.length];
            System.arraycopy(slow, 0, both, 0, slow.length);
            System.arraycopy(next, 0, both, slow.length, next.length);
            client.send(both);

            assertThat(dataRows(client.readUntilReadyForQuery())).containsExactly("late");
            assertThat(dataRows(client.readUntilReadyForQuery())).containsExactly("after");
        }
    }

    @Test
    void rejectedStatementInsideABatchFailsTheBatchWithItsSqlState() throws Exception {
        try (Connection connection = connect(EXTENDED); Statement statement = connection.createStatement()) {
            statement.addBatch("UPDATE keep_me SET id = id WHERE false");
            statement.addBatch("DROP TABLE keep_me");
            statement.addBatch("UPDATE keep_me SET id = id WHERE false");
            assertThatThrownBy(statement::executeBatch)
                    .isInstanceOfSatisfying(java.sql.BatchUpdateException.class, e -> {
                        SQLException cause = e.getNextException() != null ? e.getNextException() : e;
                        assertThat(cause.getSQLState()).isEqualTo("42501");
                        assertThat(cause.getMessage()).contains(StatementPolicy.REJECT_MESSAGE);
                    });

            assertThat(single(statement, "SELECT count(*) FROM keep_me")).isEqualTo("2");
        }
    }

    @Test
    void clientLeavingWhileALateDecisionIsPendingLeavesNothingBehind() throws Exception {
        try (RawPgClient client = loggedIn()) {
            client.sendQuery("SELECT 'pgwarden_slow'");
        }
        Thread.sleep(StatementPolicy.SLOW_MILLIS * 3);
        try (RawPgClient client = loggedIn()) {
            client.sendQuery("SELECT 'pgwarden_slow'");
            assertThat(dataRows(client.readUntilReadyForQuery())).containsExactly("late");
        }
    }

    @Test
    void parseWithAMalformedTailEndsTheSessionWithFatal08P01AndLeaksNothing() throws Exception {
        String sql = "DROP TABLE keep_me";
        try (RawPgClient client = loggedIn()) {
            byte[] text = sql.getBytes(StandardCharsets.UTF_8);
            // Statement name "", the text, then a parameter type count of 5 with no type OIDs after it.
            client.sendMessage('P', java.nio.ByteBuffer.allocate(1 + text.length + 1 + 2).put((byte) 0).put(text).put((byte) 0)
                    .putShort((short) 5).array());
            client.sendMessage('S', new byte[0]);

            RawMessage error = client.readMessage();
            assertThat(error.type()).as("%s", error).isEqualTo('E');
            assertThat(error.sqlState()).isEqualTo("08P01");
            assertThat(client.isClosedByPeer(java.time.Duration.ofSeconds(5))).isTrue();
        }
    }

    private static List<String> dataRows(List<RawMessage> messages) {
        List<String> values = new ArrayList<>();
        for (RawMessage message : messages) {
            assertThat(message.type()).isNotEqualTo('E');
            if (message.type() == 'D') {
                // One text column: Int16 count, Int32 length, bytes.
                values.add(new String(message.body(), 6, message.body().length - 6, StandardCharsets.UTF_8));
            }
        }
        return values;
    }

    private static byte[] query(String sql) {
        byte[] text = sql.getBytes(StandardCharsets.UTF_8);
        return java.nio.ByteBuffer.allocate(6 + text.length).put((byte) 'Q').putInt(5 + text.length).put(text).put((byte) 0)
                .array();
    }

    private static RawPgClient loggedIn() throws Exception {
        RawPgClient client = RawPgClient.connect("127.0.0.1", proxy.port());
        client.sendStartup(Map.of("user", "postgres", "database", "postgres"));
        assertThat(client.readUntilReadyForQuery()).extracting(RawMessage::type).doesNotContain('E');
        return client;
    }

    private static String single(Statement statement, String sql) throws SQLException {
        try (ResultSet rs = statement.executeQuery(sql)) {
            assertThat(rs.next()).isTrue();
            String value = rs.getString(1);
            assertThat(rs.next()).isFalse();
            return value;
        }
    }

    private static Connection connect(String options) throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + proxy.port()
                + "/postgres?user=postgres&sslmode=disable&" + options);
    }
}
