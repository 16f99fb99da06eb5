package io.pgwarden.it.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgwarden.scram.ScramVerifier;
import io.pgwarden.testkit.Closeables;
import io.pgwarden.testkit.EmbeddedPostgres;
import io.pgwarden.testkit.LeakCheckExtension;
import io.pgwarden.testkit.LogCapture;
import io.pgwarden.testkit.PasswordEncryption;
import io.pgwarden.testkit.ProxyFixture;
import io.pgwarden.testkit.Psql;
import io.pgwarden.testkit.RawMessage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.postgresql.util.PSQLException;

/**
 * SCRAM pass-through with a userlist that holds only the verifiers copied from pg_authid: no plaintext anywhere,
 * and a server whose pg_hba demands scram-sha-256 from every user but the superuser. A login can reach the server
 * only if the proxy recovered the client's ClientKey from its proof. Also: wrong passwords, unknown users that
 * look exactly like wrong passwords on the wire, psql, and logs without secrets.
 */
@ExtendWith(LeakCheckExtension.class)
class ScramUserlistPassThroughIT {

    private static final String ALICE = "alice";
    private static final String ALICE_PASSWORD = "alice-Pw-7f3kQ";
    private static final String BOB = "bob";
    private static final String BOB_PASSWORD = "bob-Pw-9q2wZ";
    private static final String WRONG_PASSWORD = "wrong-Pw-4x8vN";

    private static LogCapture log;
    private static EmbeddedPostgres postgres;
    private static ScramPluginFixture plugin;
    private static ProxyFixture sessionProxy;
    private static ProxyFixture transactionProxy;
    private static String aliceVerifier;
    private static Path userlistFile;

    @BeforeAll
    static void start() {
        log = LogCapture.start();
        postgres = EmbeddedPostgres.builder()
                .hba("host all all 127.0.0.1/32 scram-sha-256")
                .role(ALICE, ALICE_PASSWORD, PasswordEncryption.SCRAM_SHA_256)
                .role(BOB, BOB_PASSWORD, PasswordEncryption.SCRAM_SHA_256)
                .start();
        plugin = ScramPluginFixture.create();
        aliceVerifier = ScramPluginFixture.storedSecret(postgres, ALICE);
        Map<String, String> userlist = new LinkedHashMap<>();
        userlist.put(ALICE, aliceVerifier);
        userlist.put(BOB, ScramPluginFixture.storedSecret(postgres, BOB));
        String config = """
                backends:
                  pg: { host: 127.0.0.1, port: %d, tls: { mode: disable } }
                auth:
                  rules:
                    - { method: scram-sha-256 }
                pool: { mode: %s }
                plugins:
                  - type: scram
                    %s
                    userlist: "%s"
                """;
        userlistFile = plugin.writeUserlist("userlist.txt", userlist);
        String userlistPath = userlistFile.toString();
        sessionProxy = plugin.startProxy(config.formatted(postgres.port(), "session", ScramPluginFixture.QUICK_FAILURES, userlistPath));
        transactionProxy = plugin.startProxy(config.formatted(postgres.port(), "transaction", ScramPluginFixture.QUICK_FAILURES, userlistPath));
    }

    @AfterAll
    static void stop() throws Exception {
        Closeables.closeAll(plugin, postgres, log);
    }

    @Test
    void userlistHoldsOnlyTheServersVerifiersNoPlaintext() throws Exception {
        List<String> lines = Files.readAllLines(userlistFile);
        assertThat(lines).hasSize(2).allSatisfy(line -> assertThat(line).contains("\"" + ScramVerifier.PREFIX));
        assertThat(String.join("\n", lines)).doesNotContain(ALICE_PASSWORD).doesNotContain(BOB_PASSWORD);
        assertThat(lines.get(0)).isEqualTo(ScramPluginFixture.userlistLine(ALICE, aliceVerifier));
    }

    @Test
    void rightPasswordLogsInAsTheClientsOwnUserInSessionMode() throws Exception {
        assertThat(Logins.sessionUser(Logins.url(sessionProxy, "postgres", ALICE, ALICE_PASSWORD, ""))).isEqualTo(ALICE);
        assertThat(Logins.sessionUser(Logins.url(sessionProxy, "postgres", BOB, BOB_PASSWORD, ""))).isEqualTo(BOB);
    }

    @Test
    void rightPasswordLogsInAsTheClientsOwnUserInTransactionMode() throws Exception {
        try (Connection alice = DriverManager.getConnection(Logins.url(transactionProxy, "postgres", ALICE, ALICE_PASSWORD, ""));
             Connection bob = DriverManager.getConnection(Logins.url(transactionProxy, "postgres", BOB, BOB_PASSWORD, ""))) {
            alice.setAutoCommit(false);
            bob.setAutoCommit(false);
            // Both transactions open at once: each holds its own server, logged in as its own user.
            assertThat(Logins.sessionUser(alice)).isEqualTo(ALICE);
            assertThat(Logins.sessionUser(bob)).isEqualTo(BOB);
            alice.commit();
            bob.commit();
            for (int i = 0; i < 3; i++) {
                assertThat(Logins.sessionUser(alice)).isEqualTo(ALICE);
                assertThat(Logins.sessionUser(bob)).isEqualTo(BOB);
                alice.commit();
                bob.commit();
            }
        }
        try (Connection direct = postgres.superuserConnection(); Statement statement = direct.createStatement();
             ResultSet rs = statement.executeQuery("SELECT count(*) FROM pg_stat_activity WHERE usename = 'alice'")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getInt(1)).as("the transaction pool logged in to the server as alice").isPositive();
        }
    }

    @Test
    void wrongPasswordIsRefusedWith28P01InBothModes() {
        for (ProxyFixture proxy : List.of(sessionProxy, transactionProxy)) {
            PSQLException refused = Logins.refusal(Logins.url(proxy, "postgres", ALICE, WRONG_PASSWORD, ""));
            assertThat(refused.getSQLState()).isEqualTo("28P01");
            assertThat(refused.getServerErrorMessage().getSeverity()).isEqualTo("FATAL");
            assertThat(refused.getServerErrorMessage().getMessage()).isEqualTo("password authentication failed for user \"alice\"");
        }
    }

    @Test
    void anotherUsersPasswordDoesNotLogIn() {
        PSQLException refused = Logins.refusal(Logins.url(sessionProxy, "postgres", ALICE, BOB_PASSWORD, ""));
        assertThat(refused.getSQLState()).isEqualTo("28P01");
    }

    @Test
    void unknownUserIsRefusedWithTheSameErrorAsAWrongPassword() {
        PSQLException wrong = Logins.refusal(Logins.url(sessionProxy, "postgres", ALICE, WRONG_PASSWORD, ""));
        PSQLException unknown = Logins.refusal(Logins.url(sessionProxy, "postgres", "mallory", WRONG_PASSWORD, ""));
        assertThat(unknown.getSQLState()).isEqualTo(wrong.getSQLState()).isEqualTo("28P01");
        assertThat(unknown.getServerErrorMessage().getMessage().replace("mallory", "alice"))
                .isEqualTo(wrong.getServerErrorMessage().getMessage());
        assertThat(unknown.getServerErrorMessage().getSeverity()).isEqualTo(wrong.getServerErrorMessage().getSeverity());
        assertThat(unknown.getServerErrorMessage().getHint()).isEqualTo(wrong.getServerErrorMessage().getHint());
        assertThat(unknown.getServerErrorMessage().getDetail()).isEqualTo(wrong.getServerErrorMessage().getDetail());
    }

    @Test
    void unknownUserGoesThroughTheSameAuthenticationMessagesAsAWrongPassword() throws Exception {
        RawScramLogin.Result wrong = raw(ALICE, WRONG_PASSWORD);
        RawScramLogin.Result unknown = raw("mallory", WRONG_PASSWORD);

        // No early exit: the unknown user is asked for a proof too and refused only after sending it.
        assertThat(wrong.shape()).containsExactly("R10", "R11", "E");
        assertThat(unknown.shape()).isEqualTo(wrong.shape());
        assertThat(unknown.mechanisms()).isEqualTo(wrong.mechanisms()).containsExactly("SCRAM-SHA-256");
        assertThat(unknown.iterations()).isEqualTo(wrong.iterations()).isEqualTo(4096);
        assertThat(Base64.getDecoder().decode(unknown.salt())).hasSize(ScramVerifier.SALT_LENGTH);
        assertThat(unknown.received().get(1).body()).hasSameSizeAs(wrong.received().get(1).body());
        assertThat(RawScramLogin.attributes(unknown.serverFirst()).keySet())
                .containsExactlyElementsOf(RawScramLogin.attributes(wrong.serverFirst()).keySet())
                .containsExactly("r", "s", "i");

        RawMessage wrongError = wrong.error();
        RawMessage unknownError = unknown.error();
        assertThat(unknownError.fields().keySet()).isEqualTo(wrongError.fields().keySet());
        assertThat(unknownError.sqlState()).isEqualTo(wrongError.sqlState()).isEqualTo("28P01");
        assertThat(unknownError.message().replace("mallory", "alice")).isEqualTo(wrongError.message());
    }

    @Test
    void knownUserIsChallengedWithTheSaltOfItsVerifier() throws Exception {
        ScramVerifier verifier = ScramVerifier.parse(aliceVerifier);
        RawScramLogin.Result result = raw(ALICE, WRONG_PASSWORD);
        assertThat(Base64.getDecoder().decode(result.salt())).isEqualTo(verifier.salt());
        assertThat(result.iterations()).isEqualTo(verifier.iterations());
    }

    @Test
    void mockSaltIsStableForAnUnknownUserAndDiffersBetweenUsers() throws Exception {
        RawScramLogin.Result first = raw("mallory", WRONG_PASSWORD);
        RawScramLogin.Result again = raw("mallory", "another-" + WRONG_PASSWORD);
        RawScramLogin.Result other = raw("trudy", WRONG_PASSWORD);
        assertThat(again.salt()).isEqualTo(first.salt());
        assertThat(other.salt()).isNotEqualTo(first.salt());
        assertThat(first.salt()).isNotEqualTo(Base64.getEncoder().encodeToString(ScramVerifier.parse(aliceVerifier).salt()));
    }

    @Test
    void rawClientWithTheRightProofGetsTheServerSignatureAndIsIn() throws Exception {
        RawScramLogin.Result result = raw(ALICE, ALICE_PASSWORD);
        assertThat(result.proofAccepted()).isTrue();
        assertThat(result.loggedIn()).as("messages: %s", result.received()).isTrue();
        assertThat(result.shape()).startsWith("R10", "R11", "R12", "R0");
    }

    @Test
    void psqlLogsInWithTheRightPasswordAndIsRefusedWithAWrongOne() throws Exception {
        Assumptions.assumeTrue(Psql.installed(), "psql is not installed");
        Map<String, String> noTls = Map.of("PGSSLMODE", "disable");
        Psql.Result in = Psql.login(plugin.directory(), sessionProxy.host(), sessionProxy.port(), ALICE, "postgres",
                ALICE_PASSWORD, "SELECT session_user", noTls);
        assertThat(in.exitCode()).as("stderr: %s", in.stderr()).isZero();
        assertThat(in.stdout().strip()).isEqualTo(ALICE);

        Psql.Result out = Psql.login(plugin.directory(), sessionProxy.host(), sessionProxy.port(), ALICE, "postgres",
                WRONG_PASSWORD, "SELECT session_user", noTls);
        assertThat(out.exitCode()).isNotZero();
        assertThat(out.stderr()).contains("password authentication failed for user \"alice\"");
        assertThat(out.stdout()).isEmpty();
    }

    @Test
    void logsNeverContainAPasswordAProofAKeyOrAVerifier() throws Exception {
        List<String> secrets = new ArrayList<>(List.of(ALICE_PASSWORD, BOB_PASSWORD, WRONG_PASSWORD, aliceVerifier));
        ScramVerifier verifier = ScramVerifier.parse(aliceVerifier);
        secrets.add(Base64.getEncoder().encodeToString(verifier.storedKey()));
        secrets.add(Base64.getEncoder().encodeToString(verifier.serverKey()));
        for (ProxyFixture proxy : List.of(sessionProxy, transactionProxy)) {
            RawScramLogin.Result right = RawScramLogin.attempt(proxy.host(), proxy.port(), "postgres", ALICE, ALICE_PASSWORD);
            RawScramLogin.Result wrong = RawScramLogin.attempt(proxy.host(), proxy.port(), "postgres", ALICE, WRONG_PASSWORD);
            RawScramLogin.Result unknown = RawScramLogin.attempt(proxy.host(), proxy.port(), "postgres", "mallory", WRONG_PASSWORD);
            assertThat(right.loggedIn()).isTrue();
            for (RawScramLogin.Result result : List.of(right, wrong, unknown)) {
                secrets.add(result.proof());
                secrets.add(result.clientKey());
            }
            assertThat(Logins.sessionUser(Logins.url(proxy, "postgres", BOB, BOB_PASSWORD, ""))).isEqualTo(BOB);
            Logins.refusal(Logins.url(proxy, "postgres", BOB, WRONG_PASSWORD, ""));
        }

        List<String> lines = log.lines();
        assertThat(lines).as("the capture sees the proxy's log").anySatisfy(line -> assertThat(line).contains("alice"));
        for (String secret : secrets) {
            assertThat(lines).noneSatisfy(line -> assertThat(line).contains(secret));
        }
    }

    private static RawScramLogin.Result raw(String user, String password) throws Exception {
        return RawScramLogin.attempt(sessionProxy.host(), sessionProxy.port(), "postgres", user, password);
    }
}
