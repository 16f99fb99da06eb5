package io.pgwarden.it.oidc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.pgwarden.testkit.Await;
import io.pgwarden.testkit.Closeables;
import io.pgwarden.testkit.EmbeddedPostgres;
import io.pgwarden.testkit.LeakCheckExtension;
import io.pgwarden.testkit.LogCapture;
import io.pgwarden.testkit.PasswordEncryption;
import io.pgwarden.testkit.ProxyFixture;
import io.pgwarden.testkit.Psql;
import io.pgwarden.testkit.RawMessage;
import io.pgwarden.testkit.RawPgClient;
import io.pgwarden.testkit.RawSession;
import io.pgwarden.testkit.TestCertificates;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Method {@code oauth}, SASL OAUTHBEARER as PostgreSQL 18 speaks it, through the real auth-oidc plugin jar, with a raw
 * protocol client over real TLS, a real OIDC provider (mock-oauth2-server) and a real PostgreSQL: the discovery round
 * byte for byte, the token round without a SASL final message, refused tokens answered as PostgreSQL answers them,
 * every malformed initial response refused with PostgreSQL's SQLSTATE, message and detail while the proxy goes on
 * serving, an oversized message, and no SSL. With a psql of major version 18 or later on the PATH, psql's own OAuth
 * client is run against the discovery answer too.
 */
@ExtendWith(LeakCheckExtension.class)
class OAuthBearerIT {

    private static final String SERVICE = "svc_oauth";
    private static final String SERVICE_PASSWORD = "svc-oauth-Pw-8sQ2v";
    private static final String ALICE = "alice";
    private static final String SCOPE = "openid pgwarden";
    private static final String KVSEP = "\u0001";
    private static final String FAILED = "OAuth bearer authentication failed for user \"alice\"";

    private static LogCapture log;
    private static TestCertificates certificates;
    private static EmbeddedPostgres postgres;
    private static OidcFixture provider;
    private static OidcPluginFixture plugin;
    private static ProxyFixture proxy;

    @BeforeAll
    static void start() {
        log = LogCapture.start();
        certificates = TestCertificates.create();
        postgres = EmbeddedPostgres.builder()
                .hba("host all all 127.0.0.1/32 scram-sha-256")
                .role(SERVICE, SERVICE_PASSWORD, PasswordEncryption.SCRAM_SHA_256)
                .start();
        provider = OidcFixture.start("main");
        plugin = OidcPluginFixture.create();
        proxy = plugin.startProxy("""
                listen:
                  host: 127.0.0.1
                  port: 0
                  tls: { mode: allow, cert: "%s", key: "%s" }
                backends:
                  pg: { host: 127.0.0.1, port: %d, tls: { mode: disable } }
                auth:
                  rules:
                    - { method: oauth, scope: "%s" }
                plugins:
                  - type: oidc
                    issuers:
                      - { issuer: "%s", audience: [pgwarden], jwks_min_refresh: 1s, http_timeout: 2s }
                    service_accounts:
                      - { default: true, user: %s, password: "%s" }
                """.formatted(certificates.serverCertificate(), certificates.serverKey(), postgres.port(), SCOPE, provider.issuer(),
                SERVICE, plugin.secretReference("svc_oauth.password", SERVICE_PASSWORD)));
    }

    @AfterEach
    void logsNeverShowATokenOrTheServicePassword() {
        List<String> secrets = new ArrayList<>(provider.issuedTokens());
        secrets.add(SERVICE_PASSWORD);
        log.assertNoneOf(secrets);
    }

    @AfterAll
    static void stop() throws Exception {
        Closeables.closeAll(plugin, provider, postgres, certificates, log);
    }

    @Test
    void discoveryRoundAnswersWithPostgresqlsBytesAndEndsWithTheGenericFailure() throws IOException {
        try (RawPgClient client = tlsStartup(ALICE)) {
            RawMessage offer = client.readMessage();
            assertThat(offer.type()).isEqualTo('R');
            assertThat(offer.body()).isEqualTo(concat(int32(10), ascii("OAUTHBEARER\0\0")));

            client.sendMessage('p', initialResponse("OAUTHBEARER", ascii("n,," + KVSEP + "auth=" + KVSEP + KVSEP)));
            RawMessage challenge = client.readMessage();
            assertThat(challenge.type()).isEqualTo('R');
            assertThat(challenge.body()).isEqualTo(concat(int32(11), ascii("{ \"status\": \"invalid_token\", \"openid-configuration\": \""
                    + provider.issuer() + "/.well-known/openid-configuration\", \"scope\": \"openid pgwarden\" }")));

            client.sendMessage('p', ascii(KVSEP));
            assertFatal(client.readMessage(), "28000", FAILED, null);
            assertThat(client.isClosedByPeer(Duration.ofSeconds(5))).isTrue();
        }
    }

    @Test
    void tokenRoundLogsInWithAuthenticationOkAndNoSaslFinalMessage() throws Exception {
        String token = provider.token(ALICE).subject("sub-alice").groups("analysts").fromTokenEndpoint();
        try (RawPgClient client = tlsStartup(ALICE)) {
            client.readMessage();
            client.sendMessage('p', initialResponse("OAUTHBEARER", bearer(token)));

            RawMessage ok = client.readMessage();
            assertThat(ok.type()).isEqualTo('R');
            assertThat(ok.body()).as("AuthenticationOk right after the token, no AuthenticationSASLFinal").isEqualTo(int32(0));
            assertThat(client.readUntilReadyForQuery()).noneMatch(message -> message.type() == 'E');
            assertThat(queryValue(client, "SELECT current_setting('pgwarden.user') || ' ' || session_user"))
                    .isEqualTo(ALICE + " " + SERVICE);
            assertThat(queryValue(client, "SELECT current_setting('pgwarden.subject')")).isEqualTo("sub-alice");
        }
    }

    @Test
    void withoutAnInitialResponseAnEmptyChallengeAsksForItAndTheAnswerIsReadAsOne() throws IOException {
        String token = provider.token(ALICE).issue();
        try (RawPgClient client = tlsStartup(ALICE)) {
            client.readMessage();
            client.sendMessage('p', concat(ascii("OAUTHBEARER\0"), int32(-1)));

            RawMessage empty = client.readMessage();
            assertThat(empty.type()).isEqualTo('R');
            assertThat(empty.body()).isEqualTo(int32(11));

            client.sendMessage('p', bearer(token));
            assertThat(client.readMessage().body()).isEqualTo(int32(0));
            assertThat(client.readUntilReadyForQuery()).noneMatch(message -> message.type() == 'E');
        }
    }

    static Stream<Arguments> refusedTokens() {
        return Stream.of(
                Arguments.of("expired", provider.token(ALICE).expiresIn(Duration.ofMinutes(-10)).issue()),
                Arguments.of("wrong audience", provider.token(ALICE).audience("someone-else").issue()),
                Arguments.of("for another person", provider.token("bob").issue()),
                Arguments.of("not a JWT", "bm90LWEtand0"),
                Arguments.of("unsigned", "eyJhbGciOiJub25lIn0.eyJpc3MiOiJ4In0."));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusedTokens")
    void aRefusedTokenGetsTheChallengeThenTheGenericFailure(String what, String token) throws IOException {
        try (RawPgClient client = tlsStartup(ALICE)) {
            client.readMessage();
            client.sendMessage('p', initialResponse("OAUTHBEARER", bearer(token)));

            RawMessage challenge = client.readMessage();
            assertThat(challenge.type()).isEqualTo('R');
            assertThat(new String(challenge.body(), 4, challenge.body().length - 4, StandardCharsets.UTF_8))
                    .startsWith("{ \"status\": \"invalid_token\", ");
            assertThat(challenge.int32At(0)).isEqualTo(11);

            client.sendMessage('p', ascii(KVSEP));
            assertFatal(client.readMessage(), "28000", FAILED, null);
        }
    }

    @Test
    void anAnswerToTheChallengeOtherThanKvsepIsAProtocolViolation() throws IOException {
        try (RawPgClient client = tlsStartup(ALICE)) {
            client.readMessage();
            client.sendMessage('p', initialResponse("OAUTHBEARER", bearer("not-a-valid-token")));
            client.readMessage();
            client.sendMessage('p', ascii("n,," + KVSEP + KVSEP));
            assertFatal(client.readMessage(), "08P01", "malformed OAUTHBEARER message", "Client did not send a kvsep response.");
        }
    }

    static Stream<Arguments> malformedInitialResponses() {
        String k = KVSEP;
        return Stream.of(
                Arguments.of("", "The message is empty."),
                Arguments.of("n,," + k + "auth=Bearer abc\0" + k + k, "Message length does not match input length."),
                Arguments.of("p=tls-server-end-point,," + k + "auth=" + k + k,
                        "The server does not support channel binding for OAuth, but the client message includes channel binding data."),
                Arguments.of("nx," + k + "auth=" + k + k, "Comma expected, but found character \"'x'\"."),
                Arguments.of("q,," + k + "auth=" + k + k, "Unexpected channel-binding flag \"'q'\"."),
                Arguments.of("n,b=x," + k + "auth=" + k + k, "Unexpected attribute \"'b'\" in client-first-message."),
                Arguments.of("n,,auth=" + k + k, "Key-value separator expected, but found character \"'a'\"."),
                Arguments.of("n,," + k + "=x" + k + k, "Message contains an empty key name."),
                Arguments.of("n,," + k + "au1th=x" + k + k, "Message contains an invalid key name."),
                Arguments.of("n,," + k + "auth=Bearer a\u007fb" + k + k, "Message contains an invalid value."),
                Arguments.of("n,," + k + "auth" + k + k, "Message contains a key without a value."),
                Arguments.of("n,," + k + "auth=Bearer abc", "Message contains an unterminated key/value pair."),
                Arguments.of("n,," + k + "auth=" + k + "auth=Bearer abc" + k + k, "Message contains multiple auth values."),
                Arguments.of("n,," + k + "auth=Bearer abc" + k, "Message did not contain a final terminator."),
                Arguments.of("n,," + k + "host=db.example.com" + k + k, "Message does not contain an auth value."),
                Arguments.of("n,," + k + "auth=Bearer abc" + k + k + "x", "Message contains additional data after the final terminator."));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("malformedInitialResponses")
    void aMalformedInitialResponseIsRefusedAsPostgresqlRefusesItAndTheProxyGoesOnServing(String message, String detail)
            throws IOException {
        try (RawPgClient client = tlsStartup(ALICE)) {
            client.readMessage();
            client.sendMessage('p', initialResponse("OAUTHBEARER", message.getBytes(StandardCharsets.UTF_8)));
            assertFatal(client.readMessage(), "08P01", "malformed OAUTHBEARER message", detail);
            assertThat(client.isClosedByPeer(Duration.ofSeconds(5))).isTrue();
        }
        assertTheProxyStillServes();
    }

    @Test
    void anAuthorizationIdentityIsRefusedAsNotSupported() throws IOException {
        try (RawPgClient client = tlsStartup(ALICE)) {
            client.readMessage();
            client.sendMessage('p', initialResponse("OAUTHBEARER", ascii("n,a=bob," + KVSEP + "auth=" + KVSEP + KVSEP)));
            assertFatal(client.readMessage(), "0A000", "client uses authorization identity, but it is not supported", null);
        }
    }

    @Test
    void anotherMechanismIsRefused() throws IOException {
        try (RawPgClient client = tlsStartup(ALICE)) {
            client.readMessage();
            client.sendMessage('p', initialResponse("SCRAM-SHA-256", ascii("n,,n=,r=abc")));
            assertFatal(client.readMessage(), "08P01", "client selected an invalid SASL authentication mechanism", null);
        }
        assertTheProxyStillServes();
    }

    @Test
    void aMessageAbovePostgresqlsLimitIsRefusedAtItsHeaderWithoutAChallenge() throws IOException {
        // The length word counts itself: 65536 is one byte above PostgreSQL's 65535. Only the start of the body is sent,
        // as PostgreSQL refuses at the length word and never reads the rest.
        byte[] start = concat(ascii("OAUTHBEARER\0"), int32(65_536 - 20), ascii("n,," + KVSEP + "auth=Bearer " + "A".repeat(32)));
        try (RawPgClient client = tlsStartup(ALICE)) {
            client.readMessage();
            client.send(concat(new byte[] {'p'}, int32(65_536), start));
            assertFatal(client.readMessage(), "28000", FAILED, null);
            assertThat(client.isClosedByPeer(Duration.ofSeconds(5))).isTrue();
        }
        assertTheProxyStillServes();
    }

    @Test
    void aMessageOfExactlyPostgresqlsLimitIsRead() throws IOException {
        String prefix = "n,," + KVSEP + "auth=Bearer ";
        String suffix = KVSEP + KVSEP;
        byte[] data = ascii(prefix + "a".repeat(65_535 - 20 - prefix.length() - suffix.length()) + suffix);
        try (RawPgClient client = tlsStartup(ALICE)) {
            client.readMessage();
            client.sendMessage('p', initialResponse("OAUTHBEARER", data));
            assertThat(client.readMessage().int32At(0)).as("the error challenge of a refused (too large) token").isEqualTo(11);
            client.sendMessage('p', ascii(KVSEP));
            assertFatal(client.readMessage(), "28000", FAILED, null);
        }
    }

    @Test
    void withoutSslNothingIsOffered() throws IOException {
        try (RawPgClient client = RawPgClient.connect(proxy.host(), proxy.port(), Duration.ofSeconds(20))) {
            client.sendStartup(Map.of("user", ALICE, "database", "postgres"));
            assertFatal(client.readMessage(), "28000", "pgwarden offers OAuth sign-in only over SSL; connect with sslmode=require", null);
        }
    }

    @Test
    void aClientThatLeavesAfterTheChallengeDoesNotDisturbTheProxy() throws IOException {
        try (RawPgClient client = tlsStartup(ALICE)) {
            client.readMessage();
            client.sendMessage('p', initialResponse("OAUTHBEARER", bearer("not-a-valid-token")));
            assertThat(client.readMessage().int32At(0)).isEqualTo(11);
        }
        try (RawPgClient client = tlsStartup(ALICE)) {
            client.readMessage();
        }
        assertTheProxyStillServes();
    }

    @Test
    void psql18RunsItsOAuthFlowFromTheDiscoveryAnswer(@TempDir Path work) throws Exception {
        int major = psqlMajorVersion(work);
        assumeTrue(major >= 18, "psql 18 or later is not on the PATH (found " + (major < 0 ? "none" : "psql " + major)
                + "): the raw protocol tests cover the exchange");
        // libpq asks pgwarden where to sign in (the discovery round), then runs its device flow against the provider,
        // which waits for a person: the test ends psql once pgwarden has logged the completed discovery round.
        String user = "psql18user";
        Psql.Result result = Psql.run(work, List.of("-c", "SELECT 1", "host=" + proxy.host() + " port=" + proxy.port()
                + " sslmode=require dbname=postgres user=" + user + " oauth_issuer=" + provider.issuer() + " oauth_client_id=pgwarden"),
                Map.of("PGOAUTHDEBUG", "UNSAFE", "PGCONNECT_TIMEOUT", "20"), process -> {
                    Await.until("pgwarden logs psql's discovery round", Duration.ofSeconds(30), () -> log.lines().stream()
                            .anyMatch(line -> line.contains("authentication failed for user " + user) && line.contains("OAuth discovery")));
                    process.destroy();
                });
        assertThat(result.stderr()).doesNotContain("malformed").doesNotContain("invalid SASL").doesNotContain("server sent");
    }

    /** The proxy still runs a full discovery round for a new client. */
    private static void assertTheProxyStillServes() throws IOException {
        String token = provider.token(ALICE).issue();
        try (RawPgClient client = tlsStartup(ALICE)) {
            client.readMessage();
            client.sendMessage('p', initialResponse("OAUTHBEARER", bearer(token)));
            assertThat(client.readMessage().body()).isEqualTo(int32(0));
            assertThat(client.readUntilReadyForQuery()).noneMatch(message -> message.type() == 'E');
        }
    }

    private static RawPgClient tlsStartup(String user) throws IOException {
        RawPgClient client = RawPgClient.connect(proxy.host(), proxy.port(), Duration.ofSeconds(20));
        try {
            assertThat(client.sendSslRequest()).isEqualTo('S');
            client.startTls(certificates);
            client.sendStartup(Map.of("user", user, "database", "postgres"));
            return client;
        } catch (IOException | RuntimeException | Error e) {
            client.close();
            throw e;
        }
    }

    private static String queryValue(RawPgClient client, String sql) throws IOException {
        client.sendQuery(sql);
        List<RawMessage> messages = client.readUntilReadyForQuery();
        assertThat(messages).noneMatch(message -> message.type() == 'E');
        return messages.stream().filter(message -> message.type() == 'D').findFirst().map(RawSession::firstColumn).orElseThrow();
    }

    private static void assertFatal(RawMessage error, String sqlState, String message, String detail) {
        assertThat(error.type()).as("an ErrorResponse: %s", error).isEqualTo('E');
        assertThat(error.errorField('S')).isEqualTo("FATAL");
        assertThat(error.errorField('V')).isEqualTo("FATAL");
        assertThat(error.sqlState()).isEqualTo(sqlState);
        assertThat(error.message()).isEqualTo(message);
        assertThat(error.errorField('D')).isEqualTo(detail);
    }

    private static int psqlMajorVersion(Path work) throws IOException, InterruptedException {
        if (!Psql.installed()) {
            return -1;
        }
        Matcher version = Pattern.compile("\\(PostgreSQL\\) (\\d+)").matcher(Psql.run(work, List.of("--version"), Map.of()).stdout());
        return version.find() ? Integer.parseInt(version.group(1)) : -1;
    }

    private static byte[] bearer(String token) {
        return ascii("n,," + KVSEP + "auth=Bearer " + token + KVSEP + KVSEP);
    }

    /** A SASLInitialResponse body: the mechanism, NUL, the data's length, the data. */
    private static byte[] initialResponse(String mechanism, byte[] data) {
        return concat(ascii(mechanism + "\0"), int32(data.length), data);
    }

    private static byte[] int32(int value) {
        return ByteBuffer.allocate(4).putInt(value).array();
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }
}
