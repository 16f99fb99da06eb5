package io.pgwarden.it.keycloak;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jwt.JWTClaimsSet;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.text.ParseException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The real Keycloak the login tests use: both grants of {@code pgwarden-cli} driven by hand, the claims its access
 * tokens carry, refresh and logout, group changes, token lifespan, and the browser's failures.
 */
class KeycloakServerIT {

    private static final String PASSWORD = "Correct-Horse-" + UUID.randomUUID();

    private static KeycloakServer keycloak;
    private static OAuthClientCalls client;
    private static final List<String> TOKENS = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void start() {
        keycloak = KeycloakServer.shared();
        client = new OAuthClientCalls(keycloak.issuer(), keycloak.cliClientId());
    }

    @AfterAll
    static void keycloakLogHoldsNoSecret() throws IOException {
        String log = Files.readString(keycloak.logFile(), StandardCharsets.UTF_8);
        assertThat(log).doesNotContain(PASSWORD);
        for (String token : TOKENS) {
            assertThat(log).doesNotContain(token);
        }
    }

    @Test
    void deviceFlowGivesAnAccessTokenWithTheClaimsPgwardenReads() throws ParseException {
        String user = newUser(Set.of("dba", "analysts"));

        OAuthClientCalls.Answer device = client.deviceAuthorization("openid");
        assertThat(device.status()).isEqualTo(200);
        OAuthClientCalls.Answer pending = client.pollDeviceToken(device.string("device_code"), Duration.ZERO);
        assertThat(pending.json()).containsEntry("error", "authorization_pending");

        keycloak.browser().approveDevice(URI.create(device.string("verification_uri_complete")), user, PASSWORD);
        OAuthClientCalls.Answer tokens = client.pollDeviceToken(device.string("device_code"), Duration.ofSeconds(30));

        assertThat(tokens.status()).isEqualTo(200);
        JWTClaimsSet claims = claims(tokens);
        assertThat(claims.getIssuer()).isEqualTo(keycloak.issuer().toString());
        assertThat(claims.getAudience()).contains(keycloak.audience());
        assertThat(claims.getStringClaim("preferred_username")).isEqualTo(user);
        assertThat(claims.getStringClaim("email")).isEqualTo(user + "@example.com");
        assertThat(claims.getStringListClaim("groups")).containsExactlyInAnyOrder("dba", "analysts");
        assertThat(claims.getStringClaim("azp")).isEqualTo(keycloak.cliClientId());
    }

    @Test
    void deviceCodeIsSingleUse() {
        String user = newUser(Set.of("dba"));
        OAuthClientCalls.Answer device = client.deviceAuthorization("openid");
        URI verification = URI.create(device.string("verification_uri_complete"));
        keycloak.browser().approveDevice(verification, user, PASSWORD);
        tokens(client.pollDeviceToken(device.string("device_code"), Duration.ofSeconds(30)));

        assertThatThrownBy(() -> keycloak.browser().approveDevice(verification, user, PASSWORD))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("did not take the user code")
                .hasMessageContaining("Invalid code");
    }

    @Test
    void unknownUserCodeIsRefusedWithKeycloaksMessage() {
        String user = newUser(Set.of());
        URI made = URI.create(keycloak.issuer() + "/device?user_code=WXYZ-WXYZ");

        assertThatThrownBy(() -> keycloak.browser().approveDevice(made, user, PASSWORD))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("Invalid code");
    }

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "localhost"})
    void codeFlowWithPkceDeliversTheCodeToTheLoopbackListenerOnAnyPort(String host) throws Exception {
        String user = newUser(Set.of("readers"));
        try (LoopbackListener listener = LoopbackListener.start(host)) {
            String verifier = OAuthClientCalls.newVerifier();
            String state = UUID.randomUUID().toString();

            URI landed = keycloak.browser().signIn(client.authorizationUrl(listener.redirectUri(), state,
                    OAuthClientCalls.challenge(verifier)), user, PASSWORD);

            Map<String, String> delivered = listener.received();
            assertThat(landed.getPort()).isEqualTo(listener.redirectUri().getPort());
            assertThat(delivered).containsEntry("state", state).containsKey("code").doesNotContainKey("error");
            OAuthClientCalls.Answer tokens = client.exchangeCode(delivered.get("code"), listener.redirectUri(), verifier);
            JWTClaimsSet claims = claims(tokens);
            assertThat(claims.getStringClaim("preferred_username")).isEqualTo(user);
            assertThat(claims.getStringListClaim("groups")).containsExactly("readers");
            assertThat(claims.getAudience()).contains(keycloak.audience());
        }
    }

    @Test
    void redirectAwayFromTheLoopbackIsRefusedOnAnErrorPage() {
        String user = newUser(Set.of());
        URI url = client.authorizationUrl(URI.create("http://192.0.2.10:8080/callback"), "s",
                OAuthClientCalls.challenge(OAuthClientCalls.newVerifier()));

        assertThatThrownBy(() -> keycloak.browser().signIn(url, user, PASSWORD))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("did not sign " + user + " in")
                .hasMessageContaining("redirect_uri");
    }

    @Test
    void codeExchangeWithoutTheVerifierIsRefused() throws Exception {
        String user = newUser(Set.of());
        try (LoopbackListener listener = LoopbackListener.start("127.0.0.1")) {
            String verifier = OAuthClientCalls.newVerifier();
            keycloak.browser().signIn(client.authorizationUrl(listener.redirectUri(), "s", OAuthClientCalls.challenge(verifier)),
                    user, PASSWORD);

            OAuthClientCalls.Answer answer = client.exchangeCode(listener.received().get("code"), listener.redirectUri(), null);

            assertThat(answer.status()).isEqualTo(400);
            assertThat(answer.json()).containsEntry("error", "invalid_grant").doesNotContainKey("access_token");
        }
    }

    @Test
    void codeFlowWithoutPkceIsRefusedBeforeTheLoginPage() throws Exception {
        String user = newUser(Set.of());
        try (LoopbackListener listener = LoopbackListener.start("127.0.0.1")) {
            URI landed = keycloak.browser().signIn(client.authorizationUrl(listener.redirectUri(), "s", null), user, PASSWORD);

            assertThat(landed.getQuery()).contains("error=invalid_request");
            assertThat(listener.received()).containsEntry("error", "invalid_request").doesNotContainKey("code");
        }
    }

    @Test
    void wrongPasswordFailsTheSignInWithKeycloaksMessage() throws Exception {
        String user = newUser(Set.of());
        try (LoopbackListener listener = LoopbackListener.start("127.0.0.1")) {
            URI url = client.authorizationUrl(listener.redirectUri(), "s", OAuthClientCalls.challenge(OAuthClientCalls.newVerifier()));

            assertThatThrownBy(() -> keycloak.browser().signIn(url, user, "not-" + PASSWORD))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("refused the sign-in of " + user)
                    .hasMessageContaining("Invalid username or password")
                    .hasMessageNotContaining(PASSWORD);
            assertThat(listener.requests()).isZero();
        }
    }

    @Test
    void wrongPasswordFailsTheDeviceApproval() {
        String user = newUser(Set.of());
        OAuthClientCalls.Answer device = client.deviceAuthorization("openid");

        assertThatThrownBy(() -> keycloak.browser().approveDevice(URI.create(device.string("verification_uri_complete")), user,
                "not-" + PASSWORD))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("Invalid username or password");
        assertThat(client.pollDeviceToken(device.string("device_code"), Duration.ZERO).json())
                .containsEntry("error", "authorization_pending");
    }

    @Test
    void refreshWorksUntilLogoutAndCarriesTheNewGroups() throws ParseException {
        String user = newUser(Set.of("dba", "analysts"));
        OAuthClientCalls.Answer first = deviceLogin(user);

        keycloak.setGroups(user, Set.of("analysts", "auditors"));
        OAuthClientCalls.Answer refreshed = client.refresh(first.string("refresh_token"));
        assertThat(claims(refreshed).getStringListClaim("groups")).containsExactlyInAnyOrder("analysts", "auditors");

        keycloak.logout(user);
        OAuthClientCalls.Answer afterLogout = client.refresh(refreshed.string("refresh_token"));
        assertThat(afterLogout.status()).isEqualTo(400);
        assertThat(afterLogout.json()).containsEntry("error", "invalid_grant").doesNotContainKey("access_token");
    }

    @Test
    void setGroupsToNoneLeavesAnEmptyGroupsClaimOut() throws ParseException {
        String user = newUser(Set.of("dba"));
        keycloak.setGroups(user, Set.of());

        JWTClaimsSet claims = claims(deviceLogin(user));

        assertThat(claims.getStringListClaim("groups")).isNullOrEmpty();
    }

    @Test
    void accessTokenLifespanFollowsTheRealmSetting() throws ParseException {
        String user = newUser(Set.of());
        try {
            keycloak.setAccessTokenLifespan(Duration.ofSeconds(7));
            JWTClaimsSet claims = claims(deviceLogin(user));
            long lifetime = claims.getExpirationTime().getTime() / 1000 - claims.getIssueTime().getTime() / 1000;
            assertThat(lifetime).isEqualTo(7);
        } finally {
            keycloak.setAccessTokenLifespan(KeycloakServer.DEFAULT_ACCESS_TOKEN_LIFESPAN);
        }
        JWTClaimsSet restored = claims(deviceLogin(user));
        assertThat(restored.getExpirationTime().getTime() / 1000 - restored.getIssueTime().getTime() / 1000).isEqualTo(300);
    }

    @Test
    void refreshFailsOnceTheSessionOutlivesItsMaximumLifespan() throws InterruptedException {
        String user = newUser(Set.of("dba"));
        OAuthClientCalls.Answer login;
        try {
            keycloak.setSessionMaxLifespan(Duration.ofSeconds(3));
            login = deviceLogin(user);
            assertThat(((Number) login.json().get("refresh_expires_in")).longValue()).isBetween(1L, 3L);
        } finally {
            keycloak.setSessionMaxLifespan(KeycloakServer.DEFAULT_SESSION_MAX_LIFESPAN);
        }
        Thread.sleep(4_000);

        OAuthClientCalls.Answer refresh = client.refresh(login.string("refresh_token"));

        assertThat(refresh.status()).isEqualTo(400);
        assertThat(refresh.json()).containsEntry("error", "invalid_grant").doesNotContainKey("access_token");
    }

    @Test
    void badArgumentsAreRefusedBeforeKeycloakIsAsked() {
        assertThatThrownBy(() -> keycloak.setAccessTokenLifespan(Duration.ofMillis(1500)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> keycloak.setAccessTokenLifespan(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> keycloak.setSessionMaxLifespan(Duration.ofSeconds(-5))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> keycloak.setGroups("no-such-user-" + UUID.randomUUID(), Set.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no user");
        String user = newUser(Set.of());
        assertThatThrownBy(() -> keycloak.setGroups(user, Set.of("a/b"))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aSecondUserWithTheSameNameIsRefused() {
        String user = newUser(Set.of());
        assertThatThrownBy(() -> keycloak.createUser(user, PASSWORD, user + "@example.org", Set.of()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("409");
    }

    private OAuthClientCalls.Answer deviceLogin(String user) {
        OAuthClientCalls.Answer device = client.deviceAuthorization("openid");
        keycloak.browser().approveDevice(URI.create(device.string("verification_uri_complete")), user, PASSWORD);
        return tokens(client.pollDeviceToken(device.string("device_code"), Duration.ofSeconds(30)));
    }

    private static OAuthClientCalls.Answer tokens(OAuthClientCalls.Answer answer) {
        assertThat(answer.status()).as("token endpoint answer %s", answer.status() == 200 ? "" : answer.json()).isEqualTo(200);
        TOKENS.add(answer.string("access_token"));
        TOKENS.add(answer.string("refresh_token"));
        return answer;
    }

    private static JWTClaimsSet claims(OAuthClientCalls.Answer answer) {
        return client.verifiedClaims(tokens(answer).string("access_token"));
    }

    private static String newUser(Set<String> groups) {
        String user = "kcit-" + UUID.randomUUID().toString().substring(0, 8);
        keycloak.createUser(user, PASSWORD, user + "@example.com", groups);
        return user;
    }

    /** The CLI's side of the code flow: an HTTP listener on 127.0.0.1 and a free port that keeps the query it gets. */
    private static final class LoopbackListener implements AutoCloseable {
        private final HttpServer server;
        private final String host;
        private final CompletableFuture<Map<String, String>> query = new CompletableFuture<>();
        private volatile int requests;

        private LoopbackListener(HttpServer server, String host) {
            this.server = server;
            this.host = host;
        }

        /** Listens on a free port of {@code host} (where the browser's client will connect), answering /callback. */
        static LoopbackListener start(String host) throws IOException {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getByName(host), 0), 0);
            LoopbackListener listener = new LoopbackListener(server, host);
            server.createContext("/callback", exchange -> {
                listener.requests++;
                listener.query.complete(parse(exchange.getRequestURI().getRawQuery()));
                byte[] body = "signed in".getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(200, body.length);
                exchange.getResponseBody().write(body);
                exchange.close();
            });
            server.start();
            return listener;
        }

        /** {@code http://HOST:PORT/callback}. */
        URI redirectUri() {
            return URI.create("http://" + host + ":" + server.getAddress().getPort() + "/callback");
        }

        /** The query of the first request, waiting up to ten seconds for it. */
        Map<String, String> received() throws Exception {
            return query.get(10, TimeUnit.SECONDS);
        }

        /** How many requests came. */
        int requests() {
            return requests;
        }

        private static Map<String, String> parse(String rawQuery) {
            Map<String, String> values = new HashMap<>();
            if (rawQuery != null) {
                for (String pair : rawQuery.split("&")) {
                    int eq = pair.indexOf('=');
                    String name = eq < 0 ? pair : pair.substring(0, eq);
                    String value = eq < 0 ? "" : pair.substring(eq + 1);
                    values.put(URLDecoder.decode(name, StandardCharsets.UTF_8), URLDecoder.decode(value, StandardCharsets.UTF_8));
                }
            }
            return values;
        }

        /** Stops listening. */
        @Override
        public void close() {
            server.stop(0);
        }
    }
}
