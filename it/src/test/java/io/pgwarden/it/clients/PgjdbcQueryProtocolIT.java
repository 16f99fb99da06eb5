package io.pgwarden.it.clients;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.pgwarden.testkit.EmbeddedPostgres;
import io.pgwarden.testkit.LeakCheckExtension;
import java.sql.BatchUpdateException;
import java.sql.Connection;
import java.sql.ParameterMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.postgresql.PGStatement;

/** pgjdbc's query protocols, prepared statements, batches, notices and errors through the proxy, compared with direct. */
@ExtendWith(LeakCheckExtension.class)
class PgjdbcQueryProtocolIT {

    private static final String MIXED_QUERY = "SELECT g, g::text || 'x', g * 1.5::float8, (g % 3 = 0), "
            + "CASE WHEN g % 7 = 0 THEN NULL ELSE repeat('ab', g) END, now()::date - now()::date "
            + "FROM generate_series(1, 200) g ORDER BY g";

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
    void simpleQueryModeReturnsTheSameRowsAsDirect() throws Exception {
        try (Connection proxied = pg.viaProxy("preferQueryMode=simple");
             Connection direct = pg.direct("preferQueryMode=simple")) {
            List<List<String>> rows = Rows.query(proxied, MIXED_QUERY);
            assertThat(rows).hasSize(200).isEqualTo(Rows.query(direct, MIXED_QUERY));
        }
    }

    @Test
    void simpleQueryModeRunsSeveralStatementsInOneQueryMessage() throws Exception {
        try (Connection connection = pg.viaProxy("preferQueryMode=simple");
             Statement statement = connection.createStatement()) {
            assertThat(statement.execute("SELECT 1; SELECT 'two'; SELECT 3, 4")).isTrue();
            List<List<List<String>>> results = new ArrayList<>();
            do {
                try (ResultSet rs = statement.getResultSet()) {
                    results.add(Rows.of(rs));
                }
            } while (statement.getMoreResults() || statement.getUpdateCount() != -1);
            assertThat(results).containsExactly(List.of(List.of("1")), List.of(List.of("two")), List.of(List.of("3", "4")));
        }
    }

    @Test
    void extendedQueryModeBindsParametersLikeDirect() throws Exception {
        String sql = "SELECT g, ?::text || g, g + ?::int8 FROM generate_series(1, ?) g ORDER BY g";
        try (Connection proxied = pg.viaProxy("preferQueryMode=extended");
             Connection direct = pg.direct("preferQueryMode=extended")) {
            List<List<String>> viaProxy = bind(proxied, sql);
            assertThat(viaProxy).hasSize(50).startsWith(List.of("1", "id-1", "10000000001"));
            assertThat(viaProxy).isEqualTo(bind(direct, sql));
        }
    }

    private static List<List<String>> bind(Connection connection, String sql) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setString(1, "id-");
            statement.setLong(2, 10_000_000_000L);
            statement.setInt(3, 50);
            try (ResultSet rs = statement.executeQuery()) {
                return Rows.of(rs);
            }
        }
    }

    @Test
    void serverPreparedStatementIsReusedAcrossFiveExecutions() throws Exception {
        String sql = "SELECT ?::int * 2, 'server-prepared-marker'";
        try (Connection connection = pg.viaProxy("prepareThreshold=1");
             PreparedStatement statement = connection.prepareStatement(sql)) {
            for (int i = 1; i <= 5; i++) {
                statement.setInt(1, i);
                try (ResultSet rs = statement.executeQuery()) {
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getInt(1)).isEqualTo(2 * i);
                }
                assertThat(statement.unwrap(PGStatement.class).isUseServerPrepare()).as("execution %d", i).isTrue();
            }
            // The named statement lives on the server behind the proxy, not only in pgjdbc's cache.
            String named = Rows.scalar(connection, "SELECT count(*) FROM pg_prepared_statements "
                    + "WHERE NOT from_sql AND statement LIKE '%server-prepared-' || 'marker%'");
            assertThat(named).isEqualTo("1");
        }
    }

    @Test
    void batchOfAThousandInsertsReportsEveryCountAndStoresEveryRow() throws Exception {
        try (Connection connection = pg.viaProxy("")) {
            try (Statement ddl = connection.createStatement()) {
                ddl.execute("CREATE TABLE batch_items (id int PRIMARY KEY, name text NOT NULL)");
            }
            int[] counts;
            try (PreparedStatement insert = connection.prepareStatement("INSERT INTO batch_items VALUES (?, ?)")) {
                for (int i = 1; i <= 1000; i++) {
                    insert.setInt(1, i);
                    insert.setString(2, "item " + i);
                    insert.addBatch();
                }
                counts = insert.executeBatch();
            }
            assertThat(counts).hasSize(1000);
            assertThat(Arrays.stream(counts).allMatch(count -> count == 1)).as("every count is 1").isTrue();
            assertThat(Rows.query(connection, "SELECT count(*), sum(id), count(DISTINCT name) FROM batch_items"))
                    .containsExactly(List.of("1000", "500500", "1000"));
        }
    }

    @Test
    void noticesFromADoBlockArriveAsWarnings() throws Exception {
        try (Connection connection = pg.viaProxy(""); Statement statement = connection.createStatement()) {
            statement.execute("DO $$ BEGIN RAISE NOTICE 'first notice %', 41 + 1; RAISE WARNING 'second one'; END $$");
            SQLWarning first = statement.getWarnings();
            assertThat((Object) first).isNotNull();
            assertThat(first.getMessage()).isEqualTo("first notice 42");
            assertThat(first.getSQLState()).isEqualTo("00000");
            SQLWarning second = first.getNextWarning();
            assertThat((Object) second).isNotNull();
            assertThat(second.getMessage()).isEqualTo("second one");
            assertThat(second.getSQLState()).isEqualTo("01000");
            assertThat((Object) second.getNextWarning()).isNull();
        }
    }

    @Test
    void divisionByZeroInATransactionAbortsItAndRollbackRecovers() throws Exception {
        try (Connection connection = pg.viaProxy(""); Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE tx_items (id int)");
            connection.setAutoCommit(false);
            statement.execute("INSERT INTO tx_items VALUES (1)");
            assertThatThrownBy(() -> statement.execute("SELECT 1 / 0"))
                    .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("22012"));
            assertThatThrownBy(() -> statement.execute("SELECT 1"))
                    .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("25P02"));
            connection.rollback();
            assertThat(Rows.scalar(connection, "SELECT count(*) FROM tx_items")).isEqualTo("0");
            statement.execute("INSERT INTO tx_items VALUES (2)");
            connection.commit();
            connection.setAutoCommit(true);
            assertThat(Rows.query(connection, "SELECT id FROM tx_items")).containsExactly(List.of("2"));
        }
    }

    @Test
    void statementAfterExplicitRollbackRuns() throws Exception {
        try (Connection connection = pg.viaProxy("preferQueryMode=simple");
             Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE rollback_items (id int)");
            statement.execute("BEGIN");
            statement.execute("INSERT INTO rollback_items VALUES (1)");
            statement.execute("ROLLBACK");
            assertThat(Rows.query(connection, "SELECT count(*), current_setting('transaction_isolation') FROM rollback_items"))
                    .containsExactly(List.of("0", "read committed"));
        }
    }

    @Test
    void statementMetadataFromDescribeMatchesDirect() throws Exception {
        String sql = "SELECT ?::numeric(10,2) AS price, ?::varchar(20) AS label, now() AS at";
        try (Connection proxied = pg.viaProxy(""); Connection direct = pg.direct("")) {
            assertThat(describe(proxied, sql)).isEqualTo(describe(direct, sql))
                    .containsExactly("param numeric", "param varchar", "price numeric", "label varchar", "at timestamptz");
        }
    }

    private static List<String> describe(Connection connection, String sql) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            List<String> described = new ArrayList<>();
            ParameterMetaData parameters = statement.getParameterMetaData();
            for (int i = 1; i <= parameters.getParameterCount(); i++) {
                described.add("param " + parameters.getParameterTypeName(i));
            }
            ResultSetMetaData columns = statement.getMetaData();
            for (int i = 1; i <= columns.getColumnCount(); i++) {
                described.add(columns.getColumnLabel(i) + " " + columns.getColumnTypeName(i));
            }
            return described;
        }
    }

    @Test
    void batchWithAFailingInsertReportsTheFailureAndTheConnectionStaysUsable() throws Exception {
        try (Connection connection = pg.viaProxy("")) {
            try (Statement ddl = connection.createStatement()) {
                ddl.execute("CREATE TABLE batch_unique (id int PRIMARY KEY)");
            }
            try (PreparedStatement insert = connection.prepareStatement("INSERT INTO batch_unique VALUES (?)")) {
                for (int id : new int[] {1, 2, 3, 2, 4}) {
                    insert.setInt(1, id);
                    insert.addBatch();
                }
                Throwable thrown = catchThrowable(insert::executeBatch);
                assertThat(thrown).isInstanceOf(BatchUpdateException.class);
                assertThat(((BatchUpdateException) thrown).getSQLState()).isEqualTo("23505");
            }
            // Autocommit: pgjdbc sends the batch in one implicit transaction, which the error rolled back.
            assertThat(Rows.scalar(connection, "SELECT count(*) FROM batch_unique")).isEqualTo("0");
        }
    }

    @Test
    void concurrentClientsEachReceiveOnlyTheirOwnResults() throws Exception {
        int clients = 8;
        ExecutorService threads = Executors.newFixedThreadPool(clients);
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                int client = c;
                results.add(threads.submit(() -> {
                    try (Connection connection = pg.viaProxy("");
                         PreparedStatement statement = connection.prepareStatement(
                                 "SELECT ?::int, pg_backend_pid(), repeat(?, 100)")) {
                        int pid = -1;
                        for (int i = 0; i < 200; i++) {
                            int value = client * 1_000_000 + i;
                            statement.setInt(1, value);
                            statement.setString(2, Integer.toString(client));
                            try (ResultSet rs = statement.executeQuery()) {
                                assertThat(rs.next()).isTrue();
                                assertThat(rs.getInt(1)).isEqualTo(value);
                                assertThat(pid == -1 || rs.getInt(2) == pid).as("same backend throughout").isTrue();
                                pid = rs.getInt(2);
                                assertThat(rs.getString(3)).isEqualTo(Integer.toString(client).repeat(100));
                            }
                        }
                        return pid;
                    }
                }));
            }
            Set<Integer> pids = new HashSet<>();
            for (Future<Integer> result : results) {
                pids.add(result.get(60, TimeUnit.SECONDS));
            }
            assertThat(pids).as("one backend per client").hasSize(clients);
        } finally {
            threads.shutdownNow();
            assertThat(threads.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        }
    }
}
