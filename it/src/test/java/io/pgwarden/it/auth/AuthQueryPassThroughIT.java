package io.pgwarden.it.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgwarden.scram.ScramVerifier;
import io.pgwarden.testkit.Await;
import io.pgwarden.testkit.Closeables;
import io.pgwarden.testkit.EmbeddedPostgres;
import io.pgwarden.testkit.LeakCheckExtension;
import io.pgwarden.testkit.LogCapture;
import io.pgwarden.testkit.PasswordEncryption;
import io.pgwarden.testkit.ProxyFixture;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.postgresql.util.PSQLException;

/**
 * auth_query with PostgreSQL's own verifiers: the default query run by a superuser auth user whose password comes
 * from a {@code ${file:}} reference, SCRAM pass-through in session and transaction mode, the userlist asked first,
 * users nobody knows refused like wrong passwords, and the secret cache expiring after {@code cache_ttl}.
 */
@ExtendWith(LeakCheckExtension.class)
class AuthQueryPassThroughIT {

    private static final String AUTH_USER = "pgwarden_auth";
    private static final String AUTH_PASSWORD = "auth-Pw-6n1mB";
    private static final String KATE = "kate";
    private static final String LEO = "leo";
    /** In the userlist with a verifier for {@link #USERLIST_PASSWORD}; on the server with {@link #PASSWORD}. */
    private static final String LISTED = "listed";
    /** A role with no password at all: auth_query finds a NULL secret. */
    private static final String NO_PASSWORD = "no_password";
    private static final String PASSWORD = "query-Pw-3v5cL";
    private static final String USERLIST_PASSWORD = "userlist-Pw-1h4jD";
    private static final Duration CACHE_TTL = Duration.ofSeconds(1);

    private static LogCapture log;
    private static EmbeddedPostgres postgres;
    private static ScramPluginFixture plugin;
    private static ProxyFixture sessionProxy;
    private static ProxyFixture transactionProxy;

    @BeforeAll
    static void start() {
        log = LogCapture.start();
        postgres = EmbeddedPostgres.builder()
                .hba("host all all 127.0.0.1/32 scram-sha-256")
                .role(AUTH_USER, AUTH_PASSWORD, PasswordEncryption.SCRAM_SHA_256)
                .role(KATE, PASSWORD, PasswordEncryption.SCRAM_SHA_256)
                .role(LEO, PASSWORD, PasswordEncryption.SCRAM_SHA_256)
                .role(LISTED, PASSWORD, PasswordEncryption.SCRAM_SHA_256)
                .role(NO_PASSWORD)
                .start();
        // The default query reads pg_authid, which only a superuser may.
        postgres.execute("postgres", "ALTER ROLE " + AUTH_USER + " SUPERUSER");
        plugin = ScramPluginFixture.create();
        String passwordFile = plugin.writeFile("auth-password", AUTH_PASSWORD + "\n").toString();
        String userlist = plugin.writeUserlist("userlist.txt",
                Map.of(LISTED, ScramVerifier.generate(USERLIST_PASSWORD, ScramVerifier.DEFAULT_ITERATIONS).encode())).toString();
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
                    auth_query:
                      user: %s
                      password: "${file:%s}"
                      cache_ttl: %dms
                """;
        sessionProxy = plugin.startProxy(config.formatted(postgres.port(), "session", ScramPluginFixture.QUICK_FAILURES, userlist, AUTH_USER, passwordFile,
                CACHE_TTL.toMillis()));
        transactionProxy = plugin.startProxy(config.formatted(postgres.port(), "transaction", ScramPluginFixture.QUICK_FAILURES, userlist, AUTH_USER, passwordFile,
                CACHE_TTL.toMillis()));
    }

    @AfterAll
    static void stop() throws Exception {
        Closeables.closeAll(plugin, postgres, log);
    }

    @Test
    void authQueryPassThroughLogsInAsTheClientsOwnUserInSessionMode() throws Exception {
        assertThat(Logins.sessionUser(Logins.url(sessionProxy, "postgres", KATE, PASSWORD, ""))).isEqualTo(KATE);
    }

    @Test
    void authQueryPassThroughLogsInAsTheClientsOwnUserInTransactionMode() throws Exception {
        try (Connection kate = DriverManager.getConnection(Logins.url(transactionProxy, "postgres", KATE, PASSWORD, ""));
             Connection auth = DriverManager.getConnection(Logins.url(transactionProxy, "postgres", AUTH_USER, AUTH_PASSWORD, ""))) {
            kate.setAutoCommit(false);
            auth.setAutoCommit(false);
            for (int i = 0; i < 3; i++) {
                assertThat(Logins.sessionUser(kate)).isEqualTo(KATE);
                assertThat(Logins.sessionUser(auth)).isEqualTo(AUTH_USER);
                kate.commit();
                auth.commit();
            }
        }
    }

    @Test
    void wrongPasswordIsRefusedWith28P01() {
        PSQLException refused = Logins.refusal(Logins.url(sessionProxy, "postgres", KATE, "wrong-" + PASSWORD, ""));
        assertThat(refused.getSQLState()).isEqualTo("28P01");
        assertThat(refused.getServerErrorMessage().getMessage()).isEqualTo("password authentication failed for user \"kate\"");
    }

    @Test
    void userlistIsAskedBeforeAuthQuery() throws Exception {
        // The proxy checks the proof against the userlist's verifier, not the server's; which one it accepted shows
        // in AuthenticationSASLFinal, whatever the server says afterwards to keys it cannot know.
        RawScramLogin.Result userlistPassword = RawScramLogin.attempt(sessionProxy.host(), sessionProxy.port(), "postgres",
                LISTED, USERLIST_PASSWORD);
        RawScramLogin.Result serverPassword = RawScramLogin.attempt(sessionProxy.host(), sessionProxy.port(), "postgres",
                LISTED, PASSWORD);
        assertThat(userlistPassword.proofAccepted()).as("messages: %s", userlistPassword.received()).isTrue();
        assertThat(serverPassword.proofAccepted()).isFalse();
        assertThat(serverPassword.error().sqlState()).isEqualTo("28P01");
    }

    @Test
    void userInNeitherTheUserlistNorFoundByAuthQueryIsRefusedLikeAWrongPassword() throws Exception {
        for (String user : List.of("ghost", NO_PASSWORD)) {
            PSQLException refused = Logins.refusal(Logins.url(sessionProxy, "postgres", user, PASSWORD, ""));
            assertThat(refused.getSQLState()).isEqualTo("28P01");
            assertThat(refused.getServerErrorMessage().getMessage()).isEqualTo("password authentication failed for user \"" + user + "\"");
            RawScramLogin.Result raw = RawScramLogin.attempt(sessionProxy.host(), sessionProxy.port(), "postgres", user, PASSWORD);
            assertThat(raw.shape()).containsExactly("R10", "R11", "E");
        }
    }

    @Test
    void cachedSecretIsUsedUntilCacheTtlThenTheNewPasswordWorksAndTheOldOneNot() throws Exception {
        String newPassword = "changed-" + PASSWORD;
        assertThat(Logins.sessionUser(Logins.url(sessionProxy, "postgres", LEO, PASSWORD, ""))).isEqualTo(LEO);
        // Let that lookup's entry expire, then cache a fresh one with a quick attempt that needs no server.
        Thread.sleep(CACHE_TTL.plusMillis(200).toMillis());
        long started = System.nanoTime();
        RawScramLogin.Result first = RawScramLogin.attempt(sessionProxy.host(), sessionProxy.port(), "postgres", LEO, "wrong-" + PASSWORD);
        assertThat(first.error().sqlState()).isEqualTo("28P01");

        postgres.execute("postgres", "SET password_encryption = 'scram-sha-256'",
                "ALTER ROLE " + LEO + " PASSWORD '" + newPassword + "'");
        RawScramLogin.Result cached = RawScramLogin.attempt(sessionProxy.host(), sessionProxy.port(), "postgres", LEO, PASSWORD);
        Duration elapsed = Duration.ofNanos(System.nanoTime() - started);
        if (!cached.proofAccepted()) {
            Assumptions.assumeTrue(elapsed.compareTo(CACHE_TTL) < 0, "inconclusive: the machine took " + elapsed);
            throw new AssertionError("the old password was refused " + elapsed.toMillis()
                    + " ms after the secret was cached, before cache_ttl " + CACHE_TTL + ": " + cached.received());
        }
        assertThat(cached.salt()).as("the salt of the old, cached verifier")
                .isEqualTo(first.salt())
                .isNotEqualTo(Base64.getEncoder().encodeToString(
                        ScramVerifier.parse(ScramPluginFixture.storedSecret(postgres, LEO)).salt()));

        Await.until("a login with the new password", Duration.ofSeconds(15),
                () -> Logins.logsIn(Logins.url(sessionProxy, "postgres", LEO, newPassword, "")));
        RawScramLogin.Result old = RawScramLogin.attempt(sessionProxy.host(), sessionProxy.port(), "postgres", LEO, PASSWORD);
        assertThat(old.proofAccepted()).isFalse();
        assertThat(old.error().sqlState()).isEqualTo("28P01");
        assertThat(Logins.sessionUser(Logins.url(sessionProxy, "postgres", LEO, newPassword, ""))).isEqualTo(LEO);
    }

    @Test
    void logsNeverContainTheAuthUsersPasswordOrAVerifierFromTheServer() throws Exception {
        Logins.sessionUser(Logins.url(sessionProxy, "postgres", KATE, PASSWORD, ""));
        Logins.refusal(Logins.url(sessionProxy, "postgres", KATE, "wrong-" + PASSWORD, ""));
        Logins.refusal(Logins.url(transactionProxy, "postgres", "ghost", PASSWORD, ""));

        List<String> lines = log.lines();
        assertThat(lines).as("the capture sees the proxy's log").anySatisfy(line -> assertThat(line).contains(KATE));
        String verifier = ScramPluginFixture.storedSecret(postgres, KATE);
        ScramVerifier parsed = ScramVerifier.parse(verifier);
        for (String secret : List.of(AUTH_PASSWORD, PASSWORD, verifier, Base64.getEncoder().encodeToString(parsed.storedKey()),
                Base64.getEncoder().encodeToString(parsed.serverKey()))) {
            assertThat(lines).noneSatisfy(line -> assertThat(line).contains(secret));
        }
    }
}
