package io.pgwarden.it.oidc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.nimbusds.jwt.SignedJWT;
import io.pgwarden.testkit.Closeables;
import io.pgwarden.testkit.EmbeddedPostgres;
import io.pgwarden.testkit.LeakCheckExtension;
import io.pgwarden.testkit.LogCapture;
import io.pgwarden.testkit.PasswordEncryption;
import io.pgwarden.testkit.ProxyFixture;
import io.pgwarden.testkit.RawMessage;
import io.pgwarden.testkit.RawPgClient;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.postgresql.util.PSQLException;

/**
 * Ending a session when its token expires ({@code session_expiry}), through the real auth-oidc plugin jar against a
 * real PostgreSQL: tokens live 4 seconds; with {@code session_expiry: { enabled: true, grace: 0s }} an idle session is
 * ended at {@code exp} with FATAL 28000 and a message telling the person to sign in again (a raw client sees it
 * arrive unasked; pgjdbc sees it on its next statement), while a session inside a transaction keeps working past
 * {@code exp} until its COMMIT and is ended right after it; a {@code grace} delays the end, the message still names
 * the token's {@code exp}. With session_expiry disabled (explicitly or by default)
 * a session outlives its token.
 *
 * <p>The service-account strategy keeps the backend side simple; the rule allows tokens without TLS.
 */
@ExtendWith(LeakCheckExtension.class)
class OidcSessionExpiryIT {

    private static final String SERVICE = "svc_expiry";
    private static final String SERVICE_PASSWORD = "expiry-Pw-2bV7q";
    private static final Duration TOKEN_LIFETIME = Duration.ofSeconds(4);
    /** How long after {@code exp} a test waits before it expects the session to be gone (timer and scheduling slack). */
    private static final Duration PAST_EXPIRY = Duration.ofMillis(700);

    private static LogCapture log;
    private static EmbeddedPostgres postgres;
    private static OidcFixture provider;
    private static OidcPluginFixture plugin;
    private static ProxyFixture expiring;
    private static ProxyFixture graced;
    private static ProxyFixture disabled;
    private static ProxyFixture byDefault;

    @BeforeAll
    static void start() {
        log = LogCapture.start();
        postgres = EmbeddedPostgres.builder()
                .hba("host all all 127.0.0.1/32 scram-sha-256")
                .role(SERVICE, SERVICE_PASSWORD, PasswordEncryption.SCRAM_SHA_256)
                .start();
        postgres.execute("postgres",
                "CREATE TABLE expiry_log (note text)",
                "GRANT SELECT, INSERT ON expiry_log TO " + SERVICE);
        provider = OidcFixture.start("main");
        plugin = OidcPluginFixture.create();
        String secret = plugin.secretReference("svc_expiry.password", SERVICE_PASSWORD);
        expiring = plugin.startProxy(config(secret, "session_expiry: { enabled: true, grace: 0s }"));
        graced = plugin.startProxy(config(secret, "session_expiry: { enabled: true, grace: 2s }"));
        disabled = plugin.startProxy(config(secret, "session_expiry: { enabled: false }"));
        byDefault = plugin.startProxy(config(secret, ""));
    }

    private static String config(String secret, String sessionExpiry) {
        return """
                listen: { host: 127.0.0.1, port: 0 }
                backends:
                  pg: { host: 127.0.0.1, port: %d, tls: { mode: disable } }
                auth:
                  rules:
                    - { method: oidc, strategy: service-account, allow_without_tls: true }
                plugins:
                  - type: oidc
                    issuers:
                      - issuer: "%s"
                        audience: [pgwarden]
                    strategy: service-account
                    service_accounts:
                      - { default: true, user: %s, password: "%s" }
                    %s
                """.formatted(postgres.port(), provider.issuer(), SERVICE, secret, sessionExpiry);
    }

    @AfterEach
    void logsNeverShowATokenOrTheServicePassword() {
        List<String> secrets = new ArrayList<>(provider.issuedTokens());
        secrets.add(SERVICE_PASSWORD);
        log.assertNoneOf(secrets);
    }

    @AfterAll
    static void stop() throws Exception {
        Closeables.closeAll(plugin, provider, postgres, log);
    }

    private static String shortLivedToken(String role) {
        return provider.token(role).subject("sub-" + role).expiresIn(TOKEN_LIFETIME).issue();
    }

    /** The token's {@code exp}, read from the token as the proxy reads it. */
    private static Instant expiryOf(String token) throws ParseException {
        return SignedJWT.parse(token).getJWTClaimsSet().getExpirationTime().toInstant();
    }

    private static String expiredMessage(String display, Instant exp) {
        return "the sign-in of " + display + " expired at " + exp + "; sign in again with a new token";
    }

    /** Sleeps until {@code instant}, no longer. */
    private static void sleepUntil(Instant instant) throws InterruptedException {
        long millis = Duration.between(Instant.now(), instant).toMillis();
        if (millis > 0) {
            Thread.sleep(millis);
        }
    }

    private static void assertEndedForExpiry(Throwable thrown, String display, Instant exp) {
        assertThat(thrown).as("the statement after expiry must fail").isInstanceOf(PSQLException.class);
        PSQLException ended = (PSQLException) thrown;
        assertThat(ended.getServerErrorMessage()).as("the proxy's FATAL, not an I/O error: %s", ended).isNotNull();
        assertThat(ended.getSQLState()).as(ended.getMessage()).isEqualTo("28000");
        assertThat(ended.getServerErrorMessage().getSeverity()).isEqualTo("FATAL");
        assertThat(ended.getServerErrorMessage().getMessage()).isEqualTo(expiredMessage(display, exp));
    }

    @Test
    void anIdleSessionGetsTheExpiryFatalOnItsNextStatement() throws Exception {
        String token = shortLivedToken("alice");
        Instant exp = expiryOf(token);
        try (Connection alice = TokenLogins.connect(expiring, "postgres", "alice", token, "disable")) {
            assertThat(TokenLogins.query(alice, "SELECT current_setting('pgwarden.user')")).isEqualTo("alice");
            assertThat(Instant.now()).as("the session worked before its token expired").isBefore(exp);
            sleepUntil(exp.plus(PAST_EXPIRY));
            Throwable thrown = catchThrowable(() -> TokenLogins.query(alice, "SELECT 1"));
            assertEndedForExpiry(thrown, "alice@example.com", exp);
        }
    }

    @Test
    void anIdleSessionIsEndedAtExpiryWithoutBeingAsked() throws Exception {
        String token = shortLivedToken("bob");
        Instant exp = expiryOf(token);
        RawPgClient client = TokenLogins.rawLogin(expiring, "postgres", "bob", token);
        try {
            client.sendQuery("SELECT 1");
            assertThat(client.readUntilReadyForQuery()).noneMatch(message -> message.type() == 'E');
            // The client's read timeout (20 s) bounds the wait; the FATAL comes at exp, unasked.
            RawMessage fatal = client.readMessage();
            Instant arrived = Instant.now();
            assertThat(fatal.type()).as("%s", fatal).isEqualTo('E');
            assertThat(fatal.severity()).isEqualTo("FATAL");
            assertThat(fatal.sqlState()).isEqualTo("28000");
            assertThat(fatal.message()).isEqualTo(expiredMessage("bob@example.com", exp));
            assertThat(arrived).as("not before the token expired").isAfterOrEqualTo(exp.minusMillis(250));
            assertThat(arrived).as("soon after the token expired").isBefore(exp.plusSeconds(3));
            assertThat(client.isClosedByPeer(Duration.ofSeconds(5))).as("the proxy closes the connection").isTrue();
        } finally {
            client.close();
        }
    }

    @Test
    void theGraceDelaysTheEndButTheMessageNamesTheTokensExpiry() throws Exception {
        String token = shortLivedToken("erin");
        Instant exp = expiryOf(token);
        RawPgClient client = TokenLogins.rawLogin(graced, "postgres", "erin", token);
        try {
            sleepUntil(exp.plus(PAST_EXPIRY));
            client.sendQuery("SELECT 1");
            assertThat(client.readUntilReadyForQuery()).as("within the grace the session works")
                    .noneMatch(message -> message.type() == 'E');
            RawMessage fatal = client.readMessage();
            Instant arrived = Instant.now();
            assertThat(fatal.type()).as("%s", fatal).isEqualTo('E');
            assertThat(fatal.sqlState()).isEqualTo("28000");
            assertThat(fatal.message()).isEqualTo(expiredMessage("erin@example.com", exp));
            assertThat(arrived).as("not before exp + grace").isAfterOrEqualTo(exp.plusSeconds(2).minusMillis(250));
            assertThat(arrived).as("soon after exp + grace").isBefore(exp.plusSeconds(5));
            assertThat(client.isClosedByPeer(Duration.ofSeconds(5))).as("the proxy closes the connection").isTrue();
        } finally {
            client.close();
        }
    }

    @Test
    void aSessionInATransactionWorksUntilCommitAndEndsRightAfter() throws Exception {
        String token = shortLivedToken("carol");
        Instant exp = expiryOf(token);
        try (Connection carol = TokenLogins.connect(expiring, "postgres", "carol", token, "disable");
             Statement statement = carol.createStatement()) {
            carol.setAutoCommit(false);
            statement.executeUpdate("INSERT INTO expiry_log VALUES ('carol before exp')");
            sleepUntil(exp.plus(PAST_EXPIRY));
            // Past exp, but the transaction is open: the session is not cut in the middle of it.
            statement.executeUpdate("INSERT INTO expiry_log VALUES ('carol after exp')");
            assertThat(TokenLogins.query(carol, "SELECT count(*) FROM expiry_log WHERE note LIKE 'carol %'")).isEqualTo("2");
            carol.commit();
            Throwable thrown = catchThrowable(() -> TokenLogins.query(carol, "SELECT 1"));
            assertEndedForExpiry(thrown, "carol@example.com", exp);
        }
        try (Connection direct = postgres.superuserConnection(); Statement statement = direct.createStatement();
             ResultSet rs = statement.executeQuery("SELECT count(*) FROM expiry_log WHERE note LIKE 'carol %'")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getInt(1)).as("the transaction that outlived the token was committed").isEqualTo(2);
        }
    }

    @Test
    void withSessionExpiryDisabledASessionOutlivesItsToken() throws Exception {
        String first = shortLivedToken("dave");
        String second = shortLivedToken("dave");
        Instant exp = expiryOf(first).isAfter(expiryOf(second)) ? expiryOf(first) : expiryOf(second);
        try (Connection explicit = TokenLogins.connect(disabled, "postgres", "dave", first, "disable");
             Connection implicit = TokenLogins.connect(byDefault, "postgres", "dave", second, "disable")) {
            sleepUntil(exp.plus(PAST_EXPIRY).plus(PAST_EXPIRY));
            assertThat(TokenLogins.query(explicit, "SELECT current_setting('pgwarden.user')")).isEqualTo("dave");
            assertThat(TokenLogins.query(implicit, "SELECT current_setting('pgwarden.user')")).isEqualTo("dave");
            assertThat(explicit.isValid(5)).isTrue();
            assertThat(implicit.isValid(5)).isTrue();
        }
    }
}
