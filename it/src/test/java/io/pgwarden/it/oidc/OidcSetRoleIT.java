package io.pgwarden.it.oidc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.pgwarden.core.pool.PoolStats;
import io.pgwarden.testkit.Closeables;
import io.pgwarden.testkit.EmbeddedPostgres;
import io.pgwarden.testkit.LeakCheckExtension;
import io.pgwarden.testkit.LogCapture;
import io.pgwarden.testkit.PasswordEncryption;
import io.pgwarden.testkit.ProxyFixture;
import io.pgwarden.testkit.RawMessage;
import io.pgwarden.testkit.RawPgClient;
import io.pgwarden.testkit.RawSession;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.postgresql.util.PSQLException;

/**
 * The set-role strategy through the real auth-oidc plugin jar against a real PostgreSQL: people log in with a token,
 * pgwarden logs in to the backend as the service account {@code pgwarden_sso} with the person's NOLOGIN role in the
 * startup packet, so {@code current_user} is the person and privileges follow the person (table
 * {@code alice_notes} is readable by alice only; {@code pgwarden_sso} is NOINHERIT, so it cannot read it itself).
 * Every way the brief lists to leave the person's role is refused by the plugin's guard with 42501 and its own
 * message (the message matters: PostgreSQL answers some of these with its own 42501, which would prove nothing),
 * through pgjdbc's extended protocol, its simple protocol and a raw client, and afterwards the session still works
 * as the person. In transaction pool mode people on pools of one server never see each other's role.
 *
 * <p>The rule allows tokens without TLS ({@code allow_without_tls: true}) so the raw client needs no TLS.
 */
@ExtendWith(LeakCheckExtension.class)
class OidcSetRoleIT {

    private static final String SSO = "pgwarden_sso";
    private static final String SSO_PASSWORD = "sso-Pw-9tR4w";
    private static final String REFUSED = "pgwarden: changing the role is not allowed in a set-role session";
    /** The person, the service account, pgwarden.user, and a read of the table only alice may read. */
    private static final String ALICE_QUERY = "SELECT current_user || '|' || session_user || '|' || current_setting('pgwarden.user')"
            + " || '|' || (SELECT string_agg(note, ',') FROM alice_notes)";
    private static final String ALICE_EXPECTED = "alice|" + SSO + "|alice|alice's secret";
    private static final String IDENTITY_QUERY = "SELECT current_user || '|' || session_user || '|' || current_setting('pgwarden.user')"
            + " || '|' || current_setting('pgwarden.groups')";

    private static LogCapture log;
    private static EmbeddedPostgres postgres;
    private static OidcFixture provider;
    private static OidcPluginFixture plugin;
    private static ProxyFixture sessionProxy;
    private static ProxyFixture transactionProxy;

    @BeforeAll
    static void start() {
        log = LogCapture.start();
        postgres = EmbeddedPostgres.builder()
                .hba("host all all 127.0.0.1/32 scram-sha-256")
                .role(SSO, SSO_PASSWORD, PasswordEncryption.SCRAM_SHA_256)
                .start();
        postgres.execute("postgres",
                // NOINHERIT before the grants (PostgreSQL 16 takes a grant's INHERIT option from it): the service
                // account may SET ROLE to the people but holds none of their privileges itself.
                "ALTER ROLE " + SSO + " NOINHERIT",
                "CREATE ROLE alice NOLOGIN",
                "CREATE ROLE bob NOLOGIN",
                "GRANT alice, bob TO " + SSO,
                "CREATE TABLE alice_notes (note text)",
                "INSERT INTO alice_notes VALUES ('alice''s secret')",
                "REVOKE ALL ON alice_notes FROM PUBLIC",
                "GRANT SELECT ON alice_notes TO alice",
                // Where alice may create functions (public is not writable by others since PostgreSQL 15).
                "CREATE SCHEMA alice_space AUTHORIZATION alice");
        provider = OidcFixture.start("main");
        plugin = OidcPluginFixture.create();
        String secret = plugin.secretReference("pgwarden_sso.password", SSO_PASSWORD);
        sessionProxy = plugin.startProxy(config("session", secret));
        transactionProxy = plugin.startProxy(config("transaction", secret));
    }

    private static String config(String poolMode, String secret) {
        return """
                listen: { host: 127.0.0.1, port: 0 }
                backends:
                  pg: { host: 127.0.0.1, port: %d, tls: { mode: disable } }
                auth:
                  rules:
                    - { method: oidc, strategy: set-role, allow_without_tls: true }
                pool: { mode: %s, size: 1 }
                plugins:
                  - type: oidc
                    issuers:
                      - issuer: "%s"
                        audience: [pgwarden]
                    strategy: set-role
                    set_role:
                      user: %s
                      password: "%s"
                """.formatted(postgres.port(), poolMode, provider.issuer(), SSO, secret);
    }

    @AfterEach
    void logsNeverShowATokenOrTheServicePassword() {
        List<String> secrets = new ArrayList<>(provider.issuedTokens());
        secrets.add(SSO_PASSWORD);
        log.assertNoneOf(secrets);
    }

    @AfterAll
    static void stop() throws Exception {
        Closeables.closeAll(plugin, provider, postgres, log);
    }

    private static Connection login(ProxyFixture proxy, String role, Map<String, String> properties, String... groups)
            throws SQLException {
        String token = provider.token(role).subject("sub-" + role).groups(groups).issue();
        return TokenLogins.connect(proxy, "postgres", role, token, "disable", properties);
    }

    private static Connection alice() throws SQLException {
        return login(sessionProxy, "alice", Map.of(), "staff");
    }

    /** The escapes of the brief, each one statement text; run through pgjdbc's extended and simple protocols. */
    static Stream<Arguments> roleChanges() {
        List<String> statements = List.of(
                "SET ROLE bob",
                "SET ROLE " + SSO,
                "SET ROLE NONE",
                "RESET ROLE",
                "SET SESSION ROLE bob",
                "set /* a comment */ role\n  -- another\n  bob",
                "SET SESSION AUTHORIZATION bob",
                "SET SESSION AUTHORIZATION DEFAULT",
                "RESET SESSION AUTHORIZATION",
                "SELECT set_config('role', 'bob', false)",
                "SELECT pg_catalog.set_config('role', 'bob', false)",
                "SELECT \"set_config\"('role', 'bob', false)",
                "SELECT set_config('ROLE', 'bob', false)",
                "SELECT set_config('session_authorization', 'bob', false)",
                "SELECT 1; SET ROLE bob",
                "DO $$BEGIN SET ROLE bob; END$$",
                "DO $$BEGIN EXECUTE 'SET ROLE bob'; END$$",
                "CREATE FUNCTION alice_space.become_bob() RETURNS int LANGUAGE sql SET role = bob AS 'SELECT 1'",
                "CREATE FUNCTION alice_space.config_bob() RETURNS text LANGUAGE sql"
                        + " AS $body$SELECT set_config('role', 'bob', false)$body$");
        return Stream.of("extended", "simple")
                .flatMap(mode -> statements.stream().map(sql -> Arguments.of(mode, sql)));
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("roleChanges")
    void eachRoleChangeIsRefusedAndTheSessionStaysThePerson(String queryMode, String sql) throws Exception {
        try (Connection alice = login(sessionProxy, "alice", Map.of("preferQueryMode", queryMode), "staff")) {
            assertThat(TokenLogins.query(alice, ALICE_QUERY)).isEqualTo(ALICE_EXPECTED);
            assertRefused(alice, () -> {
                try (Statement statement = alice.createStatement()) {
                    statement.execute(sql);
                }
            });
            assertThat(TokenLogins.query(alice, ALICE_QUERY)).as("after %s", sql).isEqualTo(ALICE_EXPECTED);
        }
    }

    @Test
    void theSessionIsThePersonOnTheServiceAccount() throws Exception {
        try (Connection alice = alice()) {
            assertThat(TokenLogins.query(alice, "SELECT current_user")).isEqualTo("alice");
            assertThat(TokenLogins.query(alice, "SELECT session_user")).isEqualTo(SSO);
            assertThat(TokenLogins.query(alice, "SELECT current_setting('pgwarden.user')")).isEqualTo("alice");
            assertThat(TokenLogins.query(alice, ALICE_QUERY)).isEqualTo(ALICE_EXPECTED);
        }
    }

    @Test
    void privilegesFollowThePersonNotTheServiceAccount() throws Exception {
        try (Connection bob = login(sessionProxy, "bob", Map.of(), "staff")) {
            assertThat(TokenLogins.query(bob, "SELECT current_user || '|' || session_user")).isEqualTo("bob|" + SSO);
            Throwable denied = catchThrowable(() -> TokenLogins.query(bob, "SELECT note FROM alice_notes"));
            assertThat(denied).isInstanceOf(PSQLException.class);
            assertThat(((PSQLException) denied).getSQLState()).isEqualTo("42501");
            assertThat(denied.getMessage()).contains("permission denied for table alice_notes");
        }
    }

    @Test
    void setLocalRoleInsideATransactionIsRefused() throws Exception {
        try (Connection alice = alice()) {
            alice.setAutoCommit(false);
            assertThat(TokenLogins.query(alice, "SELECT current_user")).isEqualTo("alice");
            assertRefused(alice, () -> {
                try (Statement statement = alice.createStatement()) {
                    statement.execute("SET LOCAL ROLE bob");
                }
            });
            alice.rollback();
            assertThat(TokenLogins.query(alice, ALICE_QUERY)).isEqualTo(ALICE_EXPECTED);
            alice.commit();
        }
    }

    @Test
    void preparedStatementsCannotChangeTheRole() throws Exception {
        try (Connection alice = alice()) {
            assertRefused(alice, () -> {
                try (PreparedStatement statement = alice.prepareStatement("SET ROLE bob")) {
                    statement.execute();
                }
            });
            // The setting's name as a parameter: the guard cannot know it is harmless, so it refuses.
            assertRefused(alice, () -> {
                try (PreparedStatement statement = alice.prepareStatement("SELECT set_config(?, ?, false)")) {
                    statement.setString(1, "role");
                    statement.setString(2, "bob");
                    statement.execute();
                }
            });
            assertThat(TokenLogins.query(alice, ALICE_QUERY)).isEqualTo(ALICE_EXPECTED);
        }
    }

    @Test
    void aMultiStatementQueryMessageIsRefusedAsAWhole() throws Exception {
        String token = provider.token("alice").subject("sub-alice").groups("staff").issue();
        RawPgClient client = TokenLogins.rawLogin(sessionProxy, "postgres", "alice", token);
        try {
            client.sendQuery("SELECT 'ran' AS first; SET ROLE bob");
            List<RawMessage> answer = client.readUntilReadyForQuery();
            RawMessage error = answer.stream().filter(message -> message.type() == 'E').findFirst()
                    .orElseThrow(() -> new AssertionError("no error for the query: " + answer));
            assertThat(error.sqlState()).isEqualTo("42501");
            assertThat(error.message()).isEqualTo(REFUSED);
            assertThat(answer).as("no statement of the refused message ran").noneMatch(message -> message.type() == 'D');
            client.sendQuery(ALICE_QUERY);
            List<RawMessage> after = client.readUntilReadyForQuery();
            RawMessage row = after.stream().filter(message -> message.type() == 'D').findFirst()
                    .orElseThrow(() -> new AssertionError("no row: " + after));
            assertThat(RawSession.firstColumn(row)).isEqualTo(ALICE_EXPECTED);
            client.sendTerminate();
        } finally {
            client.close();
        }
    }

    @Test
    void statementsThatLeaveTheRoleAloneStillRun() throws Exception {
        try (Connection alice = alice(); Statement statement = alice.createStatement()) {
            statement.execute("SET search_path = alice_space, public");
            assertThat(TokenLogins.query(alice, "SHOW search_path")).isEqualTo("alice_space, public");
            assertThat(TokenLogins.query(alice, "SELECT set_config('application_name', 'alice-tool', false)"))
                    .isEqualTo("alice-tool");
            assertThat(TokenLogins.query(alice, "SELECT pg_catalog.set_config('search_path', 'public', false)"))
                    .isEqualTo("public");
            // The words in a string literal and a column named role are data, not a role change.
            assertThat(TokenLogins.query(alice, "SELECT 'SET ROLE bob'")).isEqualTo("SET ROLE bob");
            assertThat(TokenLogins.query(alice, "SELECT note AS role FROM alice_notes")).isEqualTo("alice's secret");
            statement.execute("CREATE FUNCTION alice_space.plain() RETURNS int LANGUAGE sql AS 'SELECT 41 + 1'");
            assertThat(TokenLogins.query(alice, "SELECT alice_space.plain()")).isEqualTo("42");
            statement.execute("DROP FUNCTION alice_space.plain()");
            // RESET ALL leaves the role alone (it is the startup packet's); it does reset the session's own
            // settings, pgwarden.user included, so only the role and its privileges are checked after it.
            statement.execute("RESET ALL");
            assertThat(TokenLogins.query(alice, "SELECT current_user || '|' || session_user || '|'"
                    + " || (SELECT string_agg(note, ',') FROM alice_notes)")).isEqualTo("alice|" + SSO + "|alice's secret");
        }
    }

    @Test
    void peopleOnTransactionPoolsOfOneServerNeverSeeEachOthersRole() throws Exception {
        // Two logins of alice with different groups (so her server runs two different identity inits) and bob.
        String alice1 = "alice|" + SSO + "|alice|staff";
        String alice2 = "alice|" + SSO + "|alice|auditors,staff";
        String bob = "bob|" + SSO + "|bob|staff";
        try (Connection a1 = login(transactionProxy, "alice", Map.of(), "staff");
             Connection a2 = login(transactionProxy, "alice", Map.of(), "auditors", "staff");
             Connection b = login(transactionProxy, "bob", Map.of(), "staff")) {
            for (Connection connection : List.of(a1, a2, b)) {
                connection.setAutoCommit(false);
            }
            for (int round = 0; round < 10; round++) {
                assertThat(TokenLogins.query(a1, IDENTITY_QUERY)).as("round %d", round).isEqualTo(alice1);
                a1.commit();
                assertThat(TokenLogins.query(b, IDENTITY_QUERY)).as("round %d", round).isEqualTo(bob);
                b.commit();
                assertThat(TokenLogins.query(a2, IDENTITY_QUERY)).as("round %d", round).isEqualTo(alice2);
                a2.commit();
                if (round == 5) {
                    assertRefused(b, () -> {
                        try (Statement statement = b.createStatement()) {
                            statement.execute("SET ROLE alice");
                        }
                    });
                    b.rollback();
                }
            }
            List<PoolStats> pools = transactionProxy.server().pools().stream()
                    .filter(pool -> pool.user().equals(SSO)).toList();
            assertThat(pools).as("one pool per person's role: %s", pools).hasSize(2);
        }
    }

    @Test
    void concurrentPeopleOnTransactionPoolsStayThemselves() throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(2);
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (String person : List.of("alice", "bob")) {
                Callable<Integer> work = () -> {
                    String expected = person + "|" + SSO + "|" + person + "|staff";
                    try (Connection connection = login(transactionProxy, person, Map.of(), "staff")) {
                        int checked = 0;
                        for (int i = 0; i < 100; i++) {
                            assertThat(TokenLogins.query(connection, IDENTITY_QUERY)).isEqualTo(expected);
                            checked++;
                        }
                        return checked;
                    }
                };
                results.add(threads.submit(work));
            }
            for (Future<Integer> result : results) {
                assertThat(result.get(60, TimeUnit.SECONDS)).isEqualTo(100);
            }
        } finally {
            threads.shutdownNow();
        }
    }

    @Test
    void theSetRoleStrategyWithoutItsSectionIsAConfigurationError() {
        String yaml = config("session", "unused").replaceAll("(?s)\\n *set_role:.*", "\n");
        assertThat(yaml).doesNotContain("set_role").contains("strategy: set-role");
        Throwable refused = catchThrowable(() -> plugin.startProxy(yaml));
        assertThat(refused).as("a proxy whose set-role strategy has no set_role section").isNotNull();
        assertThat(refused.getMessage()).contains("plugins[0]").contains("set_role");
    }

    @FunctionalInterface
    private interface SqlAction {
        void run() throws SQLException;
    }

    /** Expects the guard's refusal: an ERROR 42501 with the plugin's message, not PostgreSQL's own 42501. */
    private static void assertRefused(Connection connection, SqlAction action) throws SQLException {
        Throwable thrown = catchThrowable(action::run);
        assertThat(thrown).as("the statement must be refused").isInstanceOf(PSQLException.class);
        PSQLException refused = (PSQLException) thrown;
        assertThat(refused.getSQLState()).as(refused.getMessage()).isEqualTo("42501");
        assertThat(refused.getServerErrorMessage()).as(refused.getMessage()).isNotNull();
        assertThat(refused.getServerErrorMessage().getSeverity()).isEqualTo("ERROR");
        assertThat(refused.getServerErrorMessage().getMessage()).isEqualTo(REFUSED);
        assertThat(connection.isClosed()).isFalse();
    }
}
