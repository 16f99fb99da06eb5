package io.pgwarden.it.hooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import io.pgwarden.spi.ExecuteContext;
import io.pgwarden.spi.Note;
import io.pgwarden.spi.RefusalContext;
import io.pgwarden.testkit.Await;
import io.pgwarden.testkit.Closeables;
import io.pgwarden.testkit.EmbeddedPostgres;
import io.pgwarden.testkit.PasswordEncryption;
import io.pgwarden.testkit.ProxyFixture;
import io.pgwarden.testkit.RawMessage;
import io.pgwarden.testkit.RawPgClient;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.BatchUpdateException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * SPI 1.4 and 1.5 through pgjdbc against embedded PostgreSQL: onExecute with the statement text and
 * parameters, onComplete for every Execute outcome with the same ExecuteContext, onRefused for
 * every kind of refusal, notes from onQuery and claimResultSet plus the proxy's route note, each
 * completion's text, place in its query string and duration (1.5), and
 * {@code pgwarden.query.duration}. The chain is {@code test-spi14} three times: a faulty entry
 * that throws from every observe-only hook (first, so the others show the session survives it), a
 * recorder, and a gate named {@code test-spi14#3}. The tests that match Executes to their answers also run
 * through a second proxy with the recorder alone in transaction mode: without a row hook the proxy reads Parse,
 * Bind and Execute where they lie in the client's read and sends them on in one write, instead of one by one; and
 * through a third with the recorder and an onMessage tap, which makes the proxy inspect every frame of both
 * directions.
 */
class Spi14HooksIT {

    private static final String GATE = "test-spi14#3";
    private static final String APP_PASSWORD = "app-secret-7";
    private static final Duration WAIT = Duration.ofSeconds(20);

    private static EmbeddedPostgres postgres;
    private static ProxyFixture proxy;
    /** The recorder alone, transaction pooling: frames read in the run, statements renamed for the pool. */
    private static ProxyFixture inRun;
    /** The recorder and an onMessage tap: every frame inspected. */
    private static ProxyFixture everyMessage;

    @BeforeAll
    static void start() {
        postgres = EmbeddedPostgres.builder()
                .role("app", APP_PASSWORD, PasswordEncryption.SCRAM_SHA_256)
                .role("limited")
                .hba("host all app 127.0.0.1/32 scram-sha-256")
                .hba("host all all 127.0.0.1/32 trust")
                .start();
        postgres.execute("postgres", "CREATE TABLE items (id int PRIMARY KEY, name text)", "GRANT ALL ON items TO PUBLIC");
        proxy = startProxy("""
                pool:
                  query_wait_timeout: 1s
                  users:
                    limited: { max_connections: 1 }
                admin:
                  http:
                    listen: "127.0.0.1:0"
                plugins:
                  - { type: test-spi14, role: faulty }
                  - { type: test-spi14, role: recorder }
                  - { type: test-spi14, role: gate }
                """);
        inRun = startProxy("""
                pool: { mode: transaction, size: 2 }
                plugins:
                  - { type: test-spi14, role: recorder }
                """);
        everyMessage = startProxy("""
                plugins:
                  - { type: test-spi14, role: recorder }
                  - { type: test-spi14, role: tap }
                """);
    }

    /** A proxy in front of the test's PostgreSQL with passthrough logins to database postgres and the rest of its YAML. */
    private static ProxyFixture startProxy(String rest) {
        return ProxyFixture.fromYaml("""
                listen: { host: 127.0.0.1, port: 0 }
                backends:
                  primary: { host: 127.0.0.1, port: %d, tls: { mode: disable } }
                auth:
                  rules:
                    - { database: postgres, method: passthrough }
                """.formatted(postgres.port()) + rest);
    }

    @AfterAll
    static void stop() throws Exception {
        Closeables.closeAll(proxy, inRun, everyMessage, postgres);
    }

    /** The ways the Execute-matching tests run: {@code inspected}, {@code in-run} and {@code every-message}. */
    private static final List<String> PATHS = List.of("inspected", "in-run", "every-message");

    /**
     * A pgjdbc connection through the proxy a parameterized test names.
     *
     * @param through one of {@link #PATHS}: the gated chain, the recorder alone, the recorder with a tap
     * @param application the application name, made unique per proxy
     */
    private static Connection connectThrough(String through, String application) throws SQLException {
        return connect(proxyFor(through), "postgres", application + "-" + through, "");
    }

    /** As {@link #connectThrough}, with pgjdbc sending each statement string as one simple Query. */
    private static Connection simpleThrough(String through, String application) throws SQLException {
        return connect(proxyFor(through), "postgres", application + "-" + through, "&preferQueryMode=simple");
    }

    private static ProxyFixture proxyFor(String through) {
        return switch (through) {
            case "inspected" -> proxy;
            case "in-run" -> inRun;
            case "every-message" -> everyMessage;
            default -> throw new IllegalArgumentException("no proxy " + through);
        };
    }

    /** Table keys of their own for each way a test runs, as all share the table: 0, 10 and 20 past {@code base}. */
    private static int keysFrom(int base, String through) {
        return base + 10 * PATHS.indexOf(through);
    }

    private static Connection connect(String user, String application, String options) throws SQLException {
        return connect(proxy, user, application, options);
    }

    /** One attempt per connection: with sslmode=prefer pgjdbc would try again after a refusal. */
    private static Connection connect(ProxyFixture to, String user, String application, String options) throws SQLException {
        return DriverManager.getConnection(to.jdbcUrl("postgres", user) + "&sslmode=disable&assumeMinServerVersion=9.0"
                + "&ApplicationName=" + application + options);
    }

    private static Connection connect(String application) throws SQLException {
        return connect("postgres", application, "");
    }

    private static List<Spi14Hooks.Event> events(String application, String hook) {
        return Spi14Hooks.EVENTS.stream().filter(e -> e.application().equals(application) && e.hook().equals(hook)).toList();
    }

    /**
     * Logs in with pgjdbc, expects the login to fail with {@code sqlState}, and returns the onRefused call it caused.
     *
     * @param application the application name, which names the refusal in {@link Spi14Hooks#EVENTS}
     */
    private static RefusalContext refusedLogin(String user, String application, String options, String sqlState)
            throws InterruptedException {
        assertThatThrownBy(() -> connect(user, application, options).close())
                .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo(sqlState));
        return awaitRefusal(application).refusal();
    }

    /** Where a refusal happened, who refused, and what the client was told. */
    private static void assertRefusal(RefusalContext refusal, RefusalContext.Stage stage, String by, String sqlState,
                                      String message) {
        assertThat(refusal).extracting(RefusalContext::stage, RefusalContext::refusedBy, RefusalContext::sqlState,
                RefusalContext::message).containsExactly(stage, by, sqlState, message);
    }

    private static Spi14Hooks.Event awaitRefusal(String application) throws InterruptedException {
        Await.until("onRefused for " + application, WAIT, () -> !events(application, "refused").isEmpty());
        List<Spi14Hooks.Event> refusals = events(application, "refused");
        assertThat(refusals).hasSize(1);
        return refusals.get(0);
    }

    @Test
    void simpleQueryStatementsCompleteEachWithoutAnExecute() throws Exception {
        try (Connection connection = connect("postgres", "simple", "&preferQueryMode=simple");
             Statement statement = connection.createStatement()) {
            statement.execute("SELECT 1; SELECT 2");
        }
        assertThat(events("simple", "execute")).isEmpty();
        assertThat(events("simple", "complete")).extracting(Spi14Hooks.Event::tag).containsExactly("SELECT 1", "SELECT 1");
        assertThat(events("simple", "complete")).allSatisfy(e -> assertThat(e.execute()).isNull());
    }

    // SPI 1.5: what a completion ran. The Query reaches the timeline three ways: from the onQuery view (inspected,
    // where the gate has onQuery), read in the run (in-run) and inspected with no query hook (every-message).

    @ParameterizedTest
    @ValueSource(strings = {"inspected", "in-run", "every-message"})
    void eachStatementOfAQueryStringCompletesWithTheStringItsIndexAndItsOwnDuration(String through) throws Exception {
        String sql = "SELECT pg_sleep(0.2); SELECT 1; SELECT 2";
        try (Connection connection = simpleThrough(through, "string"); Statement statement = connection.createStatement()) {
            statement.execute(sql);
            statement.execute("SELECT 3");
        }
        List<Spi14Hooks.Event> completions = events("string-" + through, "complete").stream()
                .filter(e -> e.sql() != null && e.sql().contains("SELECT")).toList();
        assertThat(completions).extracting(Spi14Hooks.Event::sql, Spi14Hooks.Event::index)
                .endsWith(tuple(sql, 0), tuple(sql, 1), tuple(sql, 2), tuple("SELECT 3", 0));
        List<Spi14Hooks.Event> statements = completions.subList(completions.size() - 4, completions.size());
        assertThat(statements.get(0).durationNanos()).as("the sleep").isGreaterThanOrEqualTo(200_000_000L);
        assertThat(statements.get(1).durationNanos()).as("from the end of the sleep, not from the Query")
                .isNotNegative().isLessThan(200_000_000L);
        assertThat(statements).allSatisfy(e -> assertThat(e.execute()).isNull());
    }

    @ParameterizedTest
    @ValueSource(strings = {"inspected", "in-run", "every-message"})
    void aFailingStatementEndsItsQueryStringAndAnErrorAnsweringAParseHasNoText(String through) throws Exception {
        String sql = "SELECT 1; SELECT 1/0; SELECT 3";
        try (Connection connection = simpleThrough(through, "failing"); Statement statement = connection.createStatement()) {
            assertThatThrownBy(() -> statement.execute(sql)).isInstanceOfSatisfying(SQLException.class,
                    e -> assertThat(e.getSQLState()).isEqualTo("22012"));
        }
        try (Connection connection = connect(proxyFor(through), "postgres", "failing-" + through, "")) {
            assertThatThrownBy(() -> connection.prepareStatement("SELEC 1").execute())
                    .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("42601"));
        }
        List<Spi14Hooks.Event> completions = events("failing-" + through, "complete");
        assertThat(completions).filteredOn(e -> sql.equals(e.sql()))
                .extracting(Spi14Hooks.Event::index, Spi14Hooks.Event::tag, Spi14Hooks.Event::sqlState).containsExactly(
                        tuple(0, "SELECT 1", null),
                        tuple(1, "", "22012"));
        assertThat(completions).filteredOn(e -> "42601".equals(e.sqlState())).singleElement().satisfies(e -> {
            assertThat(e.sql()).as("pgjdbc sends a Parse, which the syntax error answers").isNull();
            assertThat(e.durationNanos()).isEqualTo(-1);
        });
    }

    @Test
    void aCompletionHasTheTextTheServerRanAfterARewriteAndARefusedQueryItsText() throws Exception {
        try (Connection connection = connect("postgres", "rewritten", "&preferQueryMode=simple");
             Statement statement = connection.createStatement()) {
            try (ResultSet rs = statement.executeQuery("SELECT 1 /*rewrite*/")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getInt(1)).isEqualTo(2);
            }
            assertThatThrownBy(() -> statement.execute("SELECT 4 /*reject*/"))
                    .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("42501"));
        }
        List<Spi14Hooks.Event> completions = events("rewritten", "complete");
        assertThat(completions).extracting(Spi14Hooks.Event::sql)
                .as("the recorder is before the rewriting gate, and still gets the text as the server received it")
                .contains("SELECT 2 AS rewritten").doesNotContain("SELECT 1 /*rewrite*/");
        assertThat(completions).extracting(Spi14Hooks.Event::sql, Spi14Hooks.Event::sqlState)
                .contains(tuple("SELECT 4 /*reject*/", "42501"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"inspected", "in-run", "every-message"})
    void aServerPreparedStatementKeepsItsTextAndParametersAfterThePrepareThreshold(String through) throws Exception {
        try (Connection connection = connectThrough(through, "threshold");
             PreparedStatement statement = connection.prepareStatement("SELECT ?::text || 'x' AS v")) {
            for (int i = 0; i < 7; i++) {
                statement.setString(1, "v" + i);
                try (ResultSet rs = statement.executeQuery()) {
                    assertThat(rs.next()).isTrue();
                }
            }
        }
        List<Spi14Hooks.Event> executes = events("threshold-" + through, "execute");
        List<Spi14Hooks.Event> completions = events("threshold-" + through, "complete");
        assertThat(executes).hasSize(7).allSatisfy(e -> assertThat(e.sql()).isEqualTo("SELECT $1::text || 'x' AS v"));
        assertThat(executes).extracting(e -> e.parameters().get(0)).containsExactly("v0", "v1", "v2", "v3", "v4", "v5", "v6");
        assertThat(executes.get(6).execute().statementName()).as("named once past prepareThreshold").isNotEmpty();
        assertThat(completions).hasSize(7).allSatisfy(e -> {
            assertThat(e.tag()).isEqualTo("SELECT 1");
            assertThat(e.sql()).as("sql() of an Execute's completion").isEqualTo("SELECT $1::text || 'x' AS v");
            assertThat(e.index()).isZero();
            assertThat(e.durationNanos()).isNotNegative();
        });
        for (int i = 0; i < 7; i++) {
            assertThat(completions.get(i).execute()).isSameAs(executes.get(i).execute());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"inspected", "in-run", "every-message"})
    void aBatchCompletesEachExecuteWithItsParameters(String through) throws Exception {
        int first = keysFrom(1, through);
        try (Connection connection = connectThrough(through, "batch");
             PreparedStatement insert = connection.prepareStatement("INSERT INTO items (id, name) VALUES (?, ?)")) {
            for (int id = first; id < first + 3; id++) {
                insert.setInt(1, id);
                insert.setString(2, "item" + id);
                insert.addBatch();
            }
            assertThat(insert.executeBatch()).hasSize(3);
        }
        List<Spi14Hooks.Event> completions = events("batch-" + through, "complete");
        assertThat(completions).extracting(Spi14Hooks.Event::tag).containsExactly("INSERT 0 1", "INSERT 0 1", "INSERT 0 1");
        assertThat(completions).extracting(Spi14Hooks.Event::sql).containsOnly("INSERT INTO items (id, name) VALUES ($1, $2)");
        assertThat(completions).extracting(e -> e.parameters().get(1))
                .containsExactly("item" + first, "item" + (first + 1), "item" + (first + 2));
        assertThat(completions).extracting(e -> decodeInt(e.parameters().get(0))).containsExactly(first, first + 1, first + 2);
    }

    /** pgjdbc sends an int as text or, for a server-prepared statement, as a binary int4. */
    private static int decodeInt(String value) {
        return value.startsWith("\\x") ? Integer.parseInt(value.substring(2), 16) : Integer.parseInt(value);
    }

    @Test
    void textBinaryAndNullParametersAreDecoded() throws Exception {
        try (Connection connection = connect("formats");
             PreparedStatement statement = connection.prepareStatement("SELECT ?::text, ?::bytea, ?::text")) {
            statement.setString(1, "héllo");
            statement.setBytes(2, new byte[] {0x01, (byte) 0xAB});
            statement.setNull(3, Types.VARCHAR);
            try (ResultSet rs = statement.executeQuery()) {
                assertThat(rs.next()).isTrue();
            }
        }
        List<Spi14Hooks.Event> executes = events("formats", "execute");
        assertThat(executes).hasSize(1);
        assertThat(executes.get(0).parameters()).containsExactly("héllo", "\\x01ab", null);
        assertThat(executes.get(0).execute().parameterCount()).isEqualTo(3);
        ExecuteContext execute = executes.get(0).execute();
        assertThat(List.of(execute.parameterIsNull(0), execute.parameterIsNull(1), execute.parameterIsNull(2)))
                .as("SPI 1.6, from the Bind").containsExactly(false, false, true);
        assertThatThrownBy(() -> execute.parameterIsNull(3)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    /**
     * A Bind, an Execute or a Query the proxy cannot read ends that session with 08P01, whichever way the frames are
     * read (a Query is decoded for its completions' text on all three).
     */
    @ParameterizedTest
    @CsvSource({"inspected, B", "inspected, E", "inspected, Q", "in-run, B", "in-run, E", "in-run, Q", "every-message, B",
        "every-message, E", "every-message, Q"})
    void anUnreadableBindExecuteOrQueryEndsOnlyItsSessionWithFatal08P01(String through, char type) throws Exception {
        ProxyFixture to = proxyFor(through);
        try (RawPgClient client = RawPgClient.connect("127.0.0.1", to.port(), Duration.ofSeconds(10))) {
            client.sendStartup(Map.of("user", "postgres", "database", "postgres", "application_name", "unreadable-" + through));
            assertThat(client.readUntilReadyForQuery()).extracting(RawMessage::type).doesNotContain('E');
            // A portal name (or a query string) without its terminator: no such message can be read past it.
            client.sendMessage(type, "p".getBytes(StandardCharsets.US_ASCII));
            client.sendMessage('S', new byte[0]);
            RawMessage error = client.readMessage();
            assertThat(error.type()).as("got %s", error).isEqualTo('E');
            assertThat(error.severity()).isEqualTo("FATAL");
            assertThat(error.sqlState()).isEqualTo("08P01");
            assertThat(client.isClosedByPeer(WAIT)).isTrue();
        }
        try (Connection connection = connectThrough(through, "after-unreadable");
             Statement statement = connection.createStatement(); ResultSet rs = statement.executeQuery("SELECT 8")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getInt(1)).isEqualTo(8);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"inspected", "in-run", "every-message"})
    void aFetchSizeCompletesEachSuspendedExecuteWithAnEmptyTag(String through) throws Exception {
        long tapped = Spi14Hooks.MESSAGES.get();
        try (Connection connection = connectThrough(through, "fetch")) {
            connection.setAutoCommit(false);
            try (PreparedStatement statement = connection.prepareStatement("SELECT g FROM generate_series(1, 5) g")) {
                statement.setFetchSize(2);
                int rows = 0;
                try (ResultSet rs = statement.executeQuery()) {
                    while (rs.next()) {
                        rows++;
                    }
                }
                assertThat(rows).isEqualTo(5);
            }
            connection.commit();
        }
        List<Spi14Hooks.Event> completions = events("fetch-" + through, "complete").stream()
                .filter(e -> "SELECT g FROM generate_series(1, 5) g".equals(e.sql())).toList();
        assertThat(completions).extracting(Spi14Hooks.Event::tag).containsExactly("", "", "SELECT 1");
        assertThat(completions).allSatisfy(e -> assertThat(e.execute().portalName()).isNotEmpty());
        assertThat(completions.get(0).execute()).isNotSameAs(completions.get(1).execute());
        if ("every-message".equals(through)) {
            assertThat(Spi14Hooks.MESSAGES.get()).as("the tap saw the frames, so each was inspected").isGreaterThan(tapped + 10);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"inspected", "in-run", "every-message"})
    void anErrorInThePipelineCompletesTheFailingExecuteAndNotTheSkippedOnes(String through) throws Exception {
        int id = keysFrom(50, through);
        try (Connection connection = connectThrough(through, "pipeline");
             PreparedStatement insert = connection.prepareStatement("INSERT INTO items (id, name) VALUES (?, ?)")) {
            for (int next : new int[] {id, id, id + 1}) {
                insert.setInt(1, next);
                insert.setString(2, "dup" + next);
                insert.addBatch();
            }
            assertThatThrownBy(insert::executeBatch).isInstanceOf(BatchUpdateException.class);
            try (Statement statement = connection.createStatement(); ResultSet rs = statement.executeQuery("SELECT 7")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getInt(1)).isEqualTo(7);
            }
        }
        List<Spi14Hooks.Event> inserts = events("pipeline-" + through, "complete").stream()
                .filter(e -> e.sql() != null && e.sql().startsWith("INSERT")).toList();
        assertThat(events("pipeline-" + through, "execute").stream().filter(e -> e.sql().startsWith("INSERT"))).hasSize(3);
        assertThat(inserts).extracting(Spi14Hooks.Event::sqlState).containsExactly(null, "23505");
        assertThat(inserts).extracting(e -> e.parameters().get(1)).containsExactly("dup" + id, "dup" + id);
    }

    @Test
    void notesFromOnQueryAndClaimResultSetGoWithEachStatement() throws Exception {
        try (Connection connection = connect("notes")) {
            try (Statement statement = connection.createStatement();
                 ResultSet rs = statement.executeQuery("SELECT 1 AS noted /*note*/")) {
                assertThat(rs.next()).isTrue();
            }
            try (PreparedStatement statement = connection.prepareStatement("SELECT 2 AS other /*note*/")) {
                for (int i = 0; i < 2; i++) {
                    try (ResultSet rs = statement.executeQuery()) {
                        assertThat(rs.next()).isTrue();
                    }
                }
            }
            try (Statement statement = connection.createStatement(); ResultSet rs = statement.executeQuery("SELECT 3 AS plain")) {
                assertThat(rs.next()).isTrue();
            }
        }
        List<Spi14Hooks.Event> completions = events("notes", "complete");
        assertThat(completions).hasSize(4);
        assertThat(completions.get(0).notes()).containsExactly(new Note(GATE, "mark", "q"), new Note(GATE, "columns", "noted"));
        assertThat(completions.get(1).notes()).containsExactly(new Note(GATE, "mark", "q"));
        assertThat(completions.get(2).notes()).containsExactly(new Note(GATE, "mark", "q"));
        assertThat(completions.get(3).notes()).isEmpty();
    }

    @Test
    void aRoutedSessionHasTheRouteNoteOnEveryStatement() throws Exception {
        try (Connection connection = connect("route-me"); Statement statement = connection.createStatement()) {
            statement.execute("SELECT 1");
            statement.execute("SELECT 2");
        }
        assertThat(events("route-me", "complete")).hasSize(2)
                .allSatisfy(e -> assertThat(e.notes()).containsExactly(new Note(GATE, "route", "primary")));
    }

    @Test
    void aRouteToABackendTheFileDoesNotHaveIsReportedAsTheRoutingPluginsRefusal() throws Exception {
        RefusalContext refusal = refusedLogin("postgres", "route-nowhere", "", "08001");
        assertRefusal(refusal, RefusalContext.Stage.STARTUP, GATE, "08001", "no backend named \"nowhere\"");
        try (Connection connection = connect("after-route-nowhere"); Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery("SELECT 9")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getInt(1)).isEqualTo(9);
        }
    }

    @Test
    void aPluginRejectAtStartupIsReportedWithThePluginsName() throws Exception {
        RefusalContext refusal = refusedLogin("startup-reject", "startup-refusal", "", "28000");
        assertRefusal(refusal, RefusalContext.Stage.STARTUP, GATE, "28000", "startup refused by the gate");
        assertThat(refusal.authMethod()).isNull();
        assertThat(refusal.sql()).isNull();
        assertThat(refusal.session().identity()).isEmpty();
    }

    @Test
    void aPluginRejectAtAuthIsReportedWithTheRulesMethod() throws Exception {
        RefusalContext refusal = refusedLogin("postgres", "auth-reject", "", "28000");
        assertThat(refusal.stage()).isEqualTo(RefusalContext.Stage.AUTH);
        assertThat(refusal.refusedBy()).isEqualTo(GATE);
        assertThat(refusal.authMethod()).isEqualTo("passthrough");
        assertThat(refusal.session().identity()).isPresent();
    }

    @Test
    void aRejectedStatementIsReportedAndTheSessionGoesOn() throws Exception {
        try (Connection connection = connect("query-refusal"); Statement statement = connection.createStatement()) {
            assertThatThrownBy(() -> statement.execute("SELECT 1 /*reject*/"))
                    .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("42501"));
            try (ResultSet rs = statement.executeQuery("SELECT 5")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getInt(1)).isEqualTo(5);
            }
        }
        RefusalContext refusal = awaitRefusal("query-refusal").refusal();
        assertRefusal(refusal, RefusalContext.Stage.QUERY, GATE, "42501", "statement refused by the gate");
        assertThat(refusal.sql()).isEqualTo("SELECT 1 /*reject*/");
        assertThat(events("query-refusal", "complete")).extracting(Spi14Hooks.Event::sql, Spi14Hooks.Event::sqlState)
                .as("pgjdbc sends the statement as a Parse, which the refusal answers: no text").contains(tuple(null, "42501"));
    }

    @Test
    void aWrongPasswordIsReportedAsTheProxysRefusal() throws Exception {
        RefusalContext refusal = refusedLogin("app", "wrong-password", "&password=not-it", "28P01");
        assertThat(refusal.stage()).isEqualTo(RefusalContext.Stage.AUTH);
        assertThat(refusal.refusedBy()).isEqualTo("pgwarden");
        assertThat(refusal.authMethod()).isEqualTo("passthrough");
        assertThat(refusal.sqlState()).isEqualTo("28P01");
        try (Connection connection = connect("app", "right-password", "&password=" + APP_PASSWORD)) {
            assertThat(connection.isValid(5)).isTrue();
        }
        assertThat(events("right-password", "refused")).isEmpty();
    }

    @Test
    void aConnectionLimitIsReportedAsTheProxysRefusal() throws Exception {
        try (Connection holder = connect("limited", "limit-holder", "")) {
            assertThat(holder.isValid(5)).isTrue();
            assertThatThrownBy(() -> connect("limited", "over-limit", "").close())
                    .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("53300"));
        }
        RefusalContext refusal = awaitRefusal("over-limit").refusal();
        assertThat(refusal.refusedBy()).isEqualTo("pgwarden");
        assertThat(refusal.sqlState()).isEqualTo("53300");
        assertThat(events("limit-holder", "refused")).isEmpty();
    }

    @Test
    void aConnectionOverMaxClientConnectionsIsReportedBeforeItHasAStartupMessage() throws Exception {
        try (ProxyFixture small = startProxy("""
                limits:
                  max_client_connections: 1
                plugins:
                  - { type: test-spi14, role: recorder }
                """);
             Connection holder = connect(small, "postgres", "max-clients-holder", "")) {
            assertThat(holder.isValid(5)).isTrue();
            assertThatThrownBy(() -> connect(small, "postgres", "max-clients-refused", "").close())
                    .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("53300"));
            Await.until("onRefused for the connection over the limit", WAIT,
                    () -> Spi14Hooks.EVENTS.stream().anyMatch(e -> e.refusal() != null
                            && e.refusal().message().equals("sorry, too many clients already")));
            RefusalContext refusal = Spi14Hooks.EVENTS.stream().filter(e -> e.refusal() != null
                    && e.refusal().message().equals("sorry, too many clients already")).findFirst().orElseThrow().refusal();
            assertThat(refusal.stage()).isEqualTo(RefusalContext.Stage.STARTUP);
            assertThat(refusal.refusedBy()).isEqualTo("pgwarden");
            assertThat(refusal.sqlState()).isEqualTo("53300");
            assertThat(refusal.session().startupParameters()).isEmpty();
            assertThat(refusal.session().client().address().getAddress().isLoopbackAddress()).isTrue();
            assertThat(holder.isValid(5)).as("the admitted client goes on").isTrue();
        }
    }

    @Test
    void failingObserveOnlyHooksLeaveTheSessionWorking() throws Exception {
        try (Connection connection = connect("faulty-neighbour");
             PreparedStatement statement = connection.prepareStatement("SELECT ?::int * 2")) {
            for (int i = 1; i <= 3; i++) {
                statement.setInt(1, i);
                try (ResultSet rs = statement.executeQuery()) {
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getInt(1)).isEqualTo(2 * i);
                }
            }
        }
        assertThat(events("faulty-neighbour", "execute")).hasSize(3);
        assertThat(events("faulty-neighbour", "complete")).hasSize(3);
    }

    @Test
    void queryDurationHistogramMovesWithSimpleAndExtendedStatements() throws Exception {
        InetSocketAddress admin = proxy.server().adminAddress().orElseThrow();
        double simpleBefore = count(admin, "simple");
        double extendedBefore = count(admin, "extended");
        try (Connection connection = connect("metrics")) {
            try (Statement statement = connection.createStatement()) {
                statement.execute("SELECT 1");
            }
            try (Connection simple = connect("postgres", "metrics-simple", "&preferQueryMode=simple");
                 Statement statement = simple.createStatement()) {
                statement.execute("SELECT 1");
            }
        }
        Await.until("the query duration histogram to move", WAIT,
                () -> count(admin, "simple") > simpleBefore && count(admin, "extended") > extendedBefore);
        assertThat(scrape(admin)).contains("pgwarden_query_duration_seconds_bucket{").contains("protocol=\"extended\"");
    }

    private static final Pattern BUCKET_INF = Pattern.compile(
            "^pgwarden_query_duration_seconds_bucket\\{(?=[^}]*le=\"\\+Inf\")(?=[^}]*protocol=\"(\\w+)\")[^}]*} (\\S+)$",
            Pattern.MULTILINE);

    /** The +Inf bucket of one protocol's histogram: every statement timed so far. */
    private static double count(InetSocketAddress admin, String protocol) {
        Matcher matcher = BUCKET_INF.matcher(scrape(admin));
        while (matcher.find()) {
            if (matcher.group(1).equals(protocol)) {
                return Double.parseDouble(matcher.group(2));
            }
        }
        return 0;
    }

    private static String scrape(InetSocketAddress admin) {
        try {
            HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + admin.getPort() + "/metrics")).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(200);
            return response.body();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
