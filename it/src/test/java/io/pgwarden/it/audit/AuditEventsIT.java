package io.pgwarden.it.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.pgwarden.testkit.Closeables;
import io.pgwarden.testkit.EmbeddedPostgres;
import io.pgwarden.testkit.LeakCheckExtension;
import io.pgwarden.testkit.PasswordEncryption;
import io.pgwarden.testkit.PluginInstallation;
import io.pgwarden.testkit.ProxyFixture;
import io.pgwarden.testkit.Psql;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.postgresql.util.PSQLException;

/**
 * The events of SPI 1.4 through a real proxy, the audit plugin's jar and a second plugin that refuses a statement,
 * with pgjdbc sessions in both protocols: a failed login, statements of the simple protocol and of the extended
 * one (a prepared statement executed past pgjdbc's prepare threshold, a batch), a refusal, with their parameters
 * redacted by default; a password sent as a literal or as a parameter is nowhere in the file, unless
 * {@code parameters: values} asks for the values.
 */
@ExtendWith(LeakCheckExtension.class)
class AuditEventsIT {

    private static final String KEY = "audit-events-it-checkpoint-key-0123";
    private static final String USER = "audit_events";
    private static final String PASSWORD = "audit-events-Pw-8k2L";
    private static final String WRONG_PASSWORD = "wrong-Pw-audit-events-3j5H";
    private static final String SECRET = "literal-secret";
    private static final String PARAMETER_SECRET = "parameter-secret-4d7F";
    private static final String PSQL_SECRET = "psql-secret-9s1D";
    private static final String TRAIL = "audit_events_trail.events";

    private static EmbeddedPostgres postgres;
    private static AuditPlugin plugin;

    /** The audit plugin's jar in a plugins folder of its own; the statement policy comes from the class path. */
    private static final class AuditPlugin extends PluginInstallation {
        AuditPlugin() {
            super("pgwarden.plugin.audit", "audit");
        }
    }

    @BeforeAll
    static void start() {
        postgres = EmbeddedPostgres.builder()
                .hba("host all " + USER + " 127.0.0.1/32 scram-sha-256")
                .hba("host all audit_events_service 127.0.0.1/32 trust")
                .role(USER, PASSWORD, PasswordEncryption.SCRAM_SHA_256)
                .start();
        postgres.execute("postgres", "ALTER ROLE " + USER + " SUPERUSER",
                "CREATE ROLE audit_events_target LOGIN",
                "CREATE ROLE audit_events_service LOGIN",
                "CREATE ROLE audit_events_person NOLOGIN",
                "GRANT audit_events_person TO audit_events_service",
                "CREATE TABLE audit_events_rows (n int)",
                "CREATE TABLE audit_events_keep (n int)",
                // A password as a bind parameter: ALTER ROLE itself takes no parameters, a function does.
                "CREATE FUNCTION audit_events_password(secret text) RETURNS void LANGUAGE plpgsql AS $$ BEGIN "
                        + "EXECUTE format('ALTER ROLE audit_events_target PASSWORD %L', secret); END $$");
        plugin = new AuditPlugin();
    }

    @AfterAll
    static void stop() throws Exception {
        Closeables.closeAll(plugin, postgres);
    }

    private static ProxyFixture proxy(Path auditFile, String eventOptions) {
        return plugin.startProxy("""
                backends:
                  pg: { host: 127.0.0.1, port: %d, tls: { mode: disable } }
                auth:
                  rules:
                    - { method: passthrough }
                plugins:
                  - type: audit
                    checkpoint_key: "%s"
                    file: { path: "%s" }
                    %s
                  - type: test-statement-policy
                """.formatted(postgres.port(), plugin.secretReference("audit.key", KEY), auditFile, eventOptions));
    }

    private static String url(ProxyFixture proxy, String password, String mode) {
        return proxy.jdbcUrl("postgres", USER) + "&sslmode=disable&password=" + password + "&preferQueryMode=" + mode;
    }

    @Test
    void everyEventTypeReachesTheFileAndNoPasswordDoesByDefault() throws Exception {
        Path auditFile = plugin.directory().resolve("events/audit.jsonl");
        // The table sink too (one line: the options go into the YAML as given), so the secrets are looked for in both sinks.
        ProxyFixture proxy = proxy(auditFile, "stream: events\n    table: { backend: pg, database: postgres, user: " + USER
                + ", password: \"" + plugin.secretReference("audit-db.password", PASSWORD) + "\", table: " + TRAIL
                + ", flush_interval: 100ms, spool: { directory: \"" + plugin.directory().resolve("events-spool") + "\" } }");
        PSQLException refused = (PSQLException) catchThrowable(
                () -> DriverManager.getConnection(url(proxy, WRONG_PASSWORD, "extended")).close());
        assertThat(refused.getSQLState()).isEqualTo("28P01");
        try (Connection connection = DriverManager.getConnection(url(proxy, PASSWORD, "simple"));
             Statement statement = connection.createStatement()) {
            statement.execute("ALTER ROLE audit_events_target PASSWORD '" + SECRET + "'");
            statement.execute("SELECT 1; SELECT 2 AS two");
            assertThatThrownBy(() -> statement.execute("DROP TABLE audit_events_keep"))
                    .isInstanceOfSatisfying(PSQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("42501"));
            statement.execute("SELECT 3");
        }
        try (Connection connection = DriverManager.getConnection(url(proxy, PASSWORD, "extended"))) {
            executeSixTimesAndMore(connection);
            try (PreparedStatement batch = connection.prepareStatement("INSERT INTO audit_events_rows VALUES (?)")) {
                for (int n : new int[] {10, 20, 30}) {
                    batch.setInt(1, n);
                    batch.addBatch();
                }
                batch.setNull(1, java.sql.Types.INTEGER);
                batch.addBatch();
                assertThat(batch.executeBatch()).containsExactly(1, 1, 1, 1);
            }
            setPasswordByParameter(connection);
            // ALTER ROLE takes no parameters: the server refuses the Parse with a syntax error.
            try (PreparedStatement alter = connection.prepareStatement("ALTER ROLE audit_events_target PASSWORD ?")) {
                alter.setString(1, PARAMETER_SECRET);
                assertThatThrownBy(alter::execute)
                        .isInstanceOfSatisfying(PSQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("42601"));
            }
        }
        plugin.stop(proxy);
        byte[] bytes = Files.readAllBytes(auditFile);
        List<String> lines = Files.readAllLines(auditFile, StandardCharsets.UTF_8);

        // A syntax error answers the Parse, not an Execute: the completion has no statement text.
        assertThat(lines).anySatisfy(l -> assertThat(l).contains("\"type\":\"statement\"", "\"protocol\":null",
                "\"fingerprint\":null,\"text\":null", "\"sqlstate\":\"42601\""));
        assertThat(lines).filteredOn(l -> l.contains("\"type\":\"session_start\"")).hasSize(3);
        assertThat(lines).filteredOn(l -> l.contains("\"type\":\"auth_success\"")).hasSize(2);
        assertThat(lines).filteredOn(l -> l.contains("\"type\":\"session_end\"")).hasSize(3);
        assertThat(lines).filteredOn(l -> l.contains("\"type\":\"auth_failure\"")).singleElement().asString()
                .contains("\"user\":\"" + USER + "\"", "\"database\":\"postgres\"", "\"client\":\"127.0.0.1:",
                        "\"method\":\"passthrough\"", "\"sqlstate\":\"28P01\"")
                .doesNotContain("\"role\":");
        assertThat(lines).filteredOn(l -> l.contains("\"type\":\"refusal\"")).singleElement().asString()
                .contains("\"refused_by\":\"test-statement-policy\"", "\"stage\":\"query\"", "\"sqlstate\":\"42501\"",
                        "\"text\":\"DROP TABLE audit_events_keep\"", "\"fingerprint\":\"")
                .doesNotContain("not allowed");
        assertThat(lines).anySatisfy(l -> assertThat(l).contains("\"type\":\"statement\"", "\"protocol\":\"simple\"",
                "\"text\":\"ALTER ROLE audit_events_target PASSWORD ?\"", "\"command_tag\":\"ALTER ROLE\"", "\"notes\":[]"));
        assertThat(lines).anySatisfy(l -> assertThat(l).contains("\"protocol\":\"simple\"", "\"text\":\"SELECT ? AS two\""));
        assertThat(lines).filteredOn(l -> l.contains("\"text\":\"SELECT $1::int + ?\""))
                .hasSize(7)
                .allSatisfy(l -> assertThat(l).contains("\"protocol\":\"extended\"", "\"params\":[\"?\"]",
                        "\"command_tag\":\"SELECT 1\"", "\"duration_us\":"));
        assertThat(lines).filteredOn(l -> l.contains("\"text\":\"INSERT INTO audit_events_rows VALUES ($1)\""))
                .extracting(l -> l.substring(l.indexOf("\"params\":"), l.indexOf(",\"command_tag\"")))
                .containsExactly("\"params\":[\"?\"]", "\"params\":[\"?\"]", "\"params\":[\"?\"]", "\"params\":[null]");
        assertThat(lines).anySatisfy(l -> assertThat(l).contains("\"protocol\":\"extended\"",
                "\"text\":\"SELECT audit_events_password($1)\"", "\"params\":[\"?\"]"));
        assertThat(lines).filteredOn(l -> l.contains("\"protocol\":null")).as("only the syntax error").singleElement()
                .asString().contains("\"sqlstate\":\"42601\"");
        assertThat(indexOf(bytes, SECRET)).as("the literal password").isNegative();
        assertThat(indexOf(bytes, PARAMETER_SECRET)).as("the password parameter").isNegative();
        assertThat(indexOf(bytes, WRONG_PASSWORD)).isNegative();
        assertThat(indexOf(bytes, PASSWORD)).isNegative();

        try (Connection trail = postgres.superuserConnection();
             Statement query = trail.createStatement();
             ResultSet rows = query.executeQuery("SELECT count(*) FILTER (WHERE type = 'statement'),"
                     + " count(*) FILTER (WHERE strpos(record, '" + SECRET + "') > 0 OR strpos(record, '" + PARAMETER_SECRET
                     + "') > 0 OR strpos(record, '" + WRONG_PASSWORD + "') > 0 OR strpos(record, '" + PASSWORD + "') > 0)"
                     + " FROM " + TRAIL + " WHERE stream = 'events'")) {
            assertThat(rows.next()).isTrue();
            assertThat(rows.getLong(1)).as("statement events in the table")
                    .isEqualTo(lines.stream().filter(l -> l.contains("\"type\":\"statement\"")).count());
            assertThat(rows.getLong(2)).as("table records holding a password").isZero();
        }
    }

    @Test
    void withParameterValuesThePasswordParameterIsWrittenAndALongValueIsCut() throws Exception {
        Path auditFile = plugin.directory().resolve("values/audit.jsonl");
        ProxyFixture proxy = proxy(auditFile, "parameters: values");
        String longValue = "x".repeat(300);
        try (Connection connection = DriverManager.getConnection(url(proxy, PASSWORD, "extended"))) {
            setPasswordByParameter(connection);
            try (PreparedStatement statement = connection.prepareStatement("SELECT length(?)")) {
                statement.setString(1, longValue);
                try (ResultSet rs = statement.executeQuery()) {
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getInt(1)).isEqualTo(300);
                }
            }
        }
        plugin.stop(proxy);
        byte[] bytes = Files.readAllBytes(auditFile);
        List<String> lines = Files.readAllLines(auditFile, StandardCharsets.UTF_8);

        assertThat(indexOf(bytes, PARAMETER_SECRET)).as("the same search that finds nothing by default").isNotNegative();
        assertThat(lines).anySatisfy(l -> assertThat(l).contains("\"text\":\"SELECT audit_events_password($1)\"",
                "\"params\":[\"" + PARAMETER_SECRET + "\"]"));
        assertThat(lines).anySatisfy(l -> assertThat(l).contains("\"text\":\"SELECT length($1)\"",
                "\"params\":[\"" + "x".repeat(256) + "…(300 chars)\"]"));
        assertThat(indexOf(bytes, longValue)).isNegative();
    }

    @Test
    void aPasswordLiteralSentByPsqlStaysOutOfTheFile() throws Exception {
        assumeTrue(Psql.installed(), "psql is not installed");
        Path auditFile = plugin.directory().resolve("psql/audit.jsonl");
        ProxyFixture proxy = proxy(auditFile, "stream: psql");
        Psql.Result result = Psql.login(plugin.directory(), proxy.host(), proxy.port(), USER, "postgres", PASSWORD,
                "ALTER ROLE audit_events_target PASSWORD '" + PSQL_SECRET + "'", Map.of("PGSSLMODE", "disable"));
        assertThat(result.exitCode()).as(result.stderr()).isZero();
        plugin.stop(proxy);
        byte[] bytes = Files.readAllBytes(auditFile);

        assertThat(new String(bytes, StandardCharsets.UTF_8)).contains("\"protocol\":\"simple\"",
                "\"text\":\"ALTER ROLE audit_events_target PASSWORD ?\"", "\"command_tag\":\"ALTER ROLE\"");
        assertThat(indexOf(bytes, PSQL_SECRET)).isNegative();
    }

    @Test
    void theBackendRoleIsWrittenWhenThePluginsBeforeAuditLogInAsAServiceAccountWithARole() throws Exception {
        Path auditFile = plugin.directory().resolve("role/audit.jsonl");
        ProxyFixture proxy = plugin.startProxy("""
                backends:
                  pg: { host: 127.0.0.1, port: %d, tls: { mode: disable } }
                auth:
                  rules:
                    - { method: trust }
                plugins:
                  - { type: test-pool-login-role, user: audit_events_service }
                  - type: audit
                    checkpoint_key: "%s"
                    file: { path: "%s" }
                """.formatted(postgres.port(), plugin.secretReference("audit.key", KEY), auditFile));
        try (Connection connection = DriverManager.getConnection(proxy.jdbcUrl("postgres", "audit_events_person")
                + "&sslmode=disable");
             Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery("SELECT current_user")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo("audit_events_person");
        }
        plugin.stop(proxy);

        assertThat(Files.readAllLines(auditFile, StandardCharsets.UTF_8))
                .filteredOn(l -> l.contains("\"type\":\"auth_success\"")).singleElement().asString()
                .contains("\"user\":\"audit_events_person\"", "\"backend_user\":\"audit_events_service\"",
                        "\"backend_role\":\"audit_events_person\"");
    }

    @Test
    void aBadParametersSettingStopsStartupNamingItsPath() {
        Throwable thrown = catchThrowable(
                () -> proxy(plugin.directory().resolve("refused/audit.jsonl"), "parameters: everything"));

        StringBuilder messages = new StringBuilder();
        for (Throwable t = thrown; t != null; t = t.getCause()) {
            messages.append(t.getMessage()).append('\n');
        }
        assertThat(messages.toString()).contains("plugins[0].parameters", "must be redacted or values");
        assertThat(plugin.directory().resolve("refused/audit.jsonl")).doesNotExist();
    }

    /** pgjdbc switches to a named server-side statement from the fifth execution (prepareThreshold 5). */
    private static void executeSixTimesAndMore(Connection connection) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement("SELECT ?::int + 1")) {
            for (int i = 0; i < 7; i++) {
                statement.setInt(1, i);
                try (ResultSet rs = statement.executeQuery()) {
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getInt(1)).isEqualTo(i + 1);
                }
            }
        }
    }

    private static void setPasswordByParameter(Connection connection) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement("SELECT audit_events_password(?)")) {
            statement.setString(1, PARAMETER_SECRET);
            statement.execute();
        }
    }

    private static int indexOf(byte[] haystack, String needle) {
        byte[] target = needle.getBytes(StandardCharsets.UTF_8);
        outer:
        for (int i = 0; i <= haystack.length - target.length; i++) {
            for (int j = 0; j < target.length; j++) {
                if (haystack[i + j] != target[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
