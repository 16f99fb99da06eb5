package io.pgwarden.it.oidc;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgwarden.testkit.Await;
import io.pgwarden.testkit.Closeables;
import io.pgwarden.testkit.EmbeddedPostgres;
import io.pgwarden.testkit.LeakCheckExtension;
import io.pgwarden.testkit.LogCapture;
import io.pgwarden.testkit.PasswordEncryption;
import io.pgwarden.testkit.ProxyFixture;
import io.pgwarden.testkit.RawMessage;
import io.pgwarden.testkit.RawPgClient;
import io.pgwarden.testkit.TestCertificates;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.postgresql.util.PSQLException;

/**
 * Tokens as passwords through the real auth-oidc plugin jar, from pgjdbc over TLS, against a real OIDC provider
 * (mock-oauth2-server) and a real PostgreSQL: a valid token logs in to a service account as the mapped role; every
 * token a stranger can craft is refused with FATAL 28000 and a message for a person; what is not a token of a
 * configured issuer falls through to the next rule; without TLS nobody is asked for a token; rotation, provider
 * outage with and without cached keys; and one listener shared by token users and password users.
 *
 * <p>The proxy trusts two issuers: {@code provider} (stable) and {@code volatileProvider} (the one the rotation and
 * outage tests rotate and stop, so the other tests never see it down). {@code stranger} is a third provider whose
 * issuer is configured nowhere.
 */
@ExtendWith(LeakCheckExtension.class)
class OidcTokenValidationIT {

    private static final String SERVICE = "svc_app";
    private static final String SERVICE_PASSWORD = "svc-Pw-4kd8Qz";
    private static final String CAROL = "carol";
    private static final String CAROL_PASSWORD = "carol-Pw-7hN2x";
    private static final String ALICE = "alice";

    private static LogCapture log;
    private static TestCertificates certificates;
    private static EmbeddedPostgres postgres;
    private static OidcFixture provider;
    private static OidcFixture volatileProvider;
    private static OidcFixture stranger;
    private static OidcPluginFixture plugin;
    private static String serviceSecret;
    private static ProxyFixture proxy;
    private static ProxyFixture mixedProxy;

    @BeforeAll
    static void start() {
        log = LogCapture.start();
        certificates = TestCertificates.create();
        postgres = EmbeddedPostgres.builder()
                // carol is a plain password user, checked by the server itself through passthrough.
                .hba("host all carol 127.0.0.1/32 password")
                .hba("host all all 127.0.0.1/32 scram-sha-256")
                .role(SERVICE, SERVICE_PASSWORD, PasswordEncryption.SCRAM_SHA_256)
                .role(CAROL, CAROL_PASSWORD, PasswordEncryption.SCRAM_SHA_256)
                .start();
        provider = OidcFixture.start("main");
        volatileProvider = OidcFixture.start("contractors");
        stranger = OidcFixture.start("stranger");
        plugin = OidcPluginFixture.create();
        serviceSecret = plugin.secretReference("svc_app.password", SERVICE_PASSWORD);
        proxy = plugin.startProxy(config(List.of("{ method: oidc, strategy: service-account }")));
        mixedProxy = plugin.startProxy(config(List.of("{ method: oidc, strategy: service-account }", "{ method: passthrough }")));
    }

    /** A proxy with client TLS, the given rules, and the oidc plugin trusting both providers. */
    private static String config(List<String> rules) {
        StringBuilder yaml = new StringBuilder("""
                listen:
                  host: 127.0.0.1
                  port: 0
                  tls: { mode: allow, cert: "%s", key: "%s" }
                backends:
                  pg: { host: 127.0.0.1, port: %d, tls: { mode: disable } }
                auth:
                  rules:
                """.formatted(certificates.serverCertificate(), certificates.serverKey(), postgres.port()));
        rules.forEach(rule -> yaml.append("    - ").append(rule).append('\n'));
        yaml.append("""
                plugins:
                  - type: oidc
                    issuers:
                      - issuer: "%s"
                        audience: [pgwarden]
                        jwks_min_refresh: 1s
                        http_timeout: 2s
                      - issuer: "%s"
                        audience: pgwarden
                        jwks_min_refresh: 1s
                        http_timeout: 2s
                    strategy: service-account
                    service_accounts:
                      - { default: true, user: %s, password: "%s" }
                """.formatted(provider.issuer(), volatileProvider.issuer(), SERVICE, serviceSecret));
        return yaml.toString();
    }

    @AfterEach
    void logsNeverShowATokenOrTheServicePassword() {
        List<String> secrets = new ArrayList<>();
        for (OidcFixture fixture : new OidcFixture[] {provider, volatileProvider, stranger}) {
            secrets.addAll(fixture.issuedTokens());
        }
        secrets.add(SERVICE_PASSWORD);
        secrets.add(CAROL_PASSWORD);
        log.assertNoneOf(secrets);
    }

    @AfterAll
    static void stop() throws Exception {
        Closeables.closeAll(plugin, stranger, volatileProvider, provider, postgres, certificates, log);
    }

    @Test
    void tokenFromTheProvidersTokenEndpointLogsInToTheServiceAccountAsTheMappedRole() throws Exception {
        String token = provider.token(ALICE).subject("0f4c2a-alice").groups("analysts", "team-a").fromTokenEndpoint();
        try (Connection connection = TokenLogins.connect(proxy, "postgres", ALICE, token)) {
            assertThat(TokenLogins.query(connection, "SELECT current_setting('pgwarden.user')")).isEqualTo(ALICE);
            assertThat(TokenLogins.query(connection, "SELECT current_setting('pgwarden.subject')")).isEqualTo("0f4c2a-alice");
            assertThat(TokenLogins.query(connection, "SELECT current_setting('pgwarden.groups')")).isEqualTo("analysts,team-a");
            assertThat(TokenLogins.query(connection, "SELECT current_setting('application_name')")).isEqualTo("pgwarden:" + ALICE);
            assertThat(TokenLogins.query(connection, "SELECT session_user")).isEqualTo(SERVICE);
        }
        assertThat(proxy.server().metricsText()).contains("pgwarden_oidc_logins");
    }

    @Test
    void tokenForAnotherPersonThanTheStartupUserIsRefused() {
        String token = provider.token(ALICE).issue();
        String message = TokenLogins.assertRefused(TokenLogins.refusal(proxy, "postgres", "bob", token), "28000");
        assertThat(message).isEqualTo("the token is for \"alice\", not for user \"bob\"");
    }

    @Test
    void expiredTokenIsRefused() {
        String token = provider.token(ALICE).expiresIn(Duration.ofMinutes(-10)).issue();
        assertThat(refusedWith28000(token)).isEqualTo("invalid token: expired");
        assertThat(proxy.server().metricsText()).containsPattern("pgwarden_oidc_failures\\S*\\{[^}]*reason=\"expired\"");
    }

    @Test
    void tokenNotValidYetIsRefused() {
        String token = provider.token(ALICE).notBeforeIn(Duration.ofMinutes(10)).issue();
        assertThat(refusedWith28000(token)).isEqualTo("invalid token: not yet valid");
    }

    @Test
    void tokenForAnotherAudienceIsRefused() {
        String token = provider.token(ALICE).audience("payroll-app").issue();
        assertThat(refusedWith28000(token)).isEqualTo("invalid token: wrong audience");
    }

    @Test
    void tokenSignedWithAKeyTheProviderNeverPublishedIsRefused() {
        String token = HostileTokens.unknownKid(provider, provider.token(ALICE));
        assertThat(refusedWith28000(token)).isEqualTo("invalid token: unknown signing key");
    }

    @Test
    void unsignedTokenWithAlgNoneIsRefused() {
        String token = HostileTokens.algNone(provider, provider.token(ALICE));
        // An unsecured JWT of a configured issuer is a token, just not an acceptable one: refused on its algorithm.
        assertThat(refusedWith28000(token)).isEqualTo("invalid token: algorithm not allowed");
    }

    @Test
    void hs256KeyedWithTheProvidersPublicKeyIsRefused() throws Exception {
        for (boolean pem : new boolean[] {false, true}) {
            String token = HostileTokens.hs256WithPublicKey(provider, provider.token(ALICE), pem);
            // Refused on the algorithm before any key is looked at, whatever the MAC secret.
            assertThat(refusedWith28000(token)).as(pem ? "PEM bytes" : "DER bytes").isEqualTo("invalid token: algorithm not allowed");
        }
    }

    @Test
    void oversizeTokenIsRefusedBeforeItIsParsed() {
        // Correctly signed: only its size can refuse it (max_token_size defaults to 16384 bytes).
        String token = HostileTokens.oversize(provider.token(ALICE), 20_000);
        assertThat(token.length()).isGreaterThan(16_384);
        assertThat(refusedWith28000(token)).isEqualTo("the token is too large");
    }

    @Test
    void tokenOfAnIssuerConfiguredNowhereFallsThroughAndIsRefusedLikeAWrongPassword() {
        // Signed properly by a real provider, but its iss is no configured issuer: not applicable, so the core
        // tries the next rule; there is none, so it answers as for any wrong password (28P01).
        String token = stranger.token(ALICE).issue();
        String message = TokenLogins.assertRefused(TokenLogins.refusal(proxy, "postgres", ALICE, token), "28P01");
        assertThat(message).isEqualTo("password authentication failed for user \"alice\"");
    }

    @Test
    void garbageThatIsNoTokenFallsThroughAndIsRefusedLikeAWrongPassword() {
        // A password with two dots is no JWT either: it must reach the next rule, not be called a malformed token.
        for (String garbage : List.of("correct horse battery staple", "my.pass.word")) {
            String message = TokenLogins.assertRefused(TokenLogins.refusal(proxy, "postgres", ALICE, garbage), "28P01");
            assertThat(message).isEqualTo("password authentication failed for user \"alice\"");
        }
    }

    @Test
    void withoutTlsTheClientIsRefusedBeforeAnyPasswordIsAsked() throws Exception {
        try (RawPgClient client = RawPgClient.connect(proxy.host(), proxy.port())) {
            client.sendStartup(Map.of("user", ALICE, "database", "postgres"));
            RawMessage first = client.readMessage();
            // No AuthenticationCleartextPassword ('R' with code 3) first: the refusal is the first answer.
            assertThat(first.type()).as("first message: %s", first).isEqualTo('E');
            assertThat(first.sqlState()).isEqualTo("28000");
            assertThat(first.severity()).isEqualTo("FATAL");
            assertThat(first.message()).contains("without SSL").contains("sslmode=require");
            assertThat(client.isClosedByPeer(Duration.ofSeconds(5))).isTrue();
        }
    }

    @Test
    void keyRotationAtTheProviderIsPickedUpWithoutRestart() throws Exception {
        String beforeRotation = volatileProvider.token(ALICE).issue();
        assertThat(TokenLogins.logsIn(proxy, "postgres", ALICE, beforeRotation)).as("login before the rotation").isTrue();
        volatileProvider.rotateKey();
        String afterRotation = volatileProvider.token(ALICE).issue();
        // An unknown kid makes the plugin fetch the JWKS again, at most once per jwks_min_refresh (1s here).
        Await.until("a login with a token signed by the rotated key", Duration.ofSeconds(15),
                () -> TokenLogins.logsIn(proxy, "postgres", ALICE, afterRotation));
        assertThat(TokenLogins.logsIn(proxy, "postgres", ALICE, beforeRotation)).as("the old key is still published").isTrue();
    }

    @Test
    void providerDownWithCachedKeysStillLetsPeopleInAndAFreshProxyRefusesClearly() throws Exception {
        String warmUp = volatileProvider.token(ALICE).issue();
        String duringOutage = volatileProvider.token(ALICE).groups("analysts").issue();
        assertThat(TokenLogins.logsIn(proxy, "postgres", ALICE, warmUp)).as("login that caches the keys").isTrue();
        volatileProvider.stop();
        try {
            try (Connection connection = TokenLogins.connect(proxy, "postgres", ALICE, duringOutage)) {
                assertThat(TokenLogins.query(connection, "SELECT current_setting('pgwarden.user')")).isEqualTo(ALICE);
            }
            // A proxy started during the outage has no keys of that issuer, and cannot get any.
            ProxyFixture fresh = plugin.startProxy(config(List.of("{ method: oidc, strategy: service-account }")));
            try {
                PSQLException refused = TokenLogins.refusal(fresh, "postgres", ALICE, duringOutage);
                String message = TokenLogins.assertRefused(refused, "08006");
                assertThat(message).isEqualTo("cannot verify the token: the identity provider's keys are unavailable");
            } finally {
                plugin.stop(fresh);
            }
        } finally {
            volatileProvider.start();
        }
    }

    @Test
    void passwordUsersShareTheListenerWithTokenUsers() throws Exception {
        // carol's password is no token: the oidc rule does not apply and passthrough, next, lets the server check it
        // with the password she already gave (she is asked once).
        try (Connection connection = TokenLogins.connect(mixedProxy, "postgres", CAROL, CAROL_PASSWORD)) {
            assertThat(TokenLogins.query(connection, "SELECT session_user")).isEqualTo(CAROL);
        }
        String token = provider.token(ALICE).issue();
        try (Connection connection = TokenLogins.connect(mixedProxy, "postgres", ALICE, token)) {
            assertThat(TokenLogins.query(connection, "SELECT current_setting('pgwarden.user')")).isEqualTo(ALICE);
            assertThat(TokenLogins.query(connection, "SELECT session_user")).isEqualTo(SERVICE);
        }
        String message = TokenLogins.assertRefused(TokenLogins.refusal(mixedProxy, "postgres", CAROL, "wrong-Pw-1"), "28P01");
        assertThat(message).contains("carol");
        // A refused token does not fall through to passthrough: it is a token of a configured issuer.
        String expired = provider.token(CAROL).expiresIn(Duration.ofMinutes(-10)).issue();
        assertThat(TokenLogins.assertRefused(TokenLogins.refusal(mixedProxy, "postgres", CAROL, expired), "28000"))
                .isEqualTo("invalid token: expired");
    }

    private static String refusedWith28000(String token) {
        return TokenLogins.assertRefused(TokenLogins.refusal(proxy, "postgres", ALICE, token), "28000");
    }
}
