package io.pgwarden.it.login;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.util.JSONObjectUtils;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import io.pgwarden.it.keycloak.KeycloakServer;
import io.pgwarden.testkit.LogCapture;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code pgwarden login}, {@code token} and {@code logout} against a real Keycloak: the device flow approved by a person
 * at a browser, the browser sign-in with PKCE through the loopback redirect, silent refresh after the access token
 * expired, an ended SSO session, revocation at logout, and the messages for a wrong or unreachable issuer. The tokens
 * are read back from the cache file the commands wrote, which must be 0600 in a 0700 directory.
 */
class LoginCommandIT {

    private static final String PASSWORD = "Login-Pw-" + UUID.randomUUID();
    private static final Duration SIGN_IN = Duration.ofSeconds(90);
    private static final AtomicInteger USERS = new AtomicInteger();

    private static KeycloakServer keycloak;
    private static LogCapture log;
    private static final List<String> SECRETS = new CopyOnWriteArrayList<>();

    @TempDir
    Path config;

    @BeforeAll
    static void start() {
        log = LogCapture.start();
        keycloak = KeycloakServer.shared();
        SECRETS.add(PASSWORD);
    }

    @AfterEach
    void logsNeverShowATokenOrPassword() {
        log.assertNoneOf(SECRETS);
    }

    @AfterAll
    static void stop() {
        log.close();
    }

    @Test
    void deviceFlowLogsInAndCachesTheTokensForTheOwnerOnly() throws Exception {
        String user = newUser(Set.of("analysts"));
        CliRun login = deviceLogin(user, "--host", "127.0.0.1", "--port", "6432", "--dbname", "analytics", "--user", user);
        assertThat(login.exitCode(SIGN_IN)).as(login.err()).isZero();
        assertThat(login.err()).contains("Logged in with profile default at " + keycloak.issuer())
                .contains("Saved the settings of profile default");
        assertThat(login.out()).isEmpty();

        Path cache = config.resolve("tokens/default.json");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(cache))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(cache.getParent()))).isEqualTo("rwx------");
        Map<String, Object> cached = cached("default");
        String access = (String) cached.get("access_token");
        assertThat(cached).containsKey("refresh_token").containsEntry("client_id", keycloak.cliClientId())
                .containsEntry("issuer", keycloak.issuer().toString());
        assertThat(login.err()).doesNotContain(access).doesNotContain((String) cached.get("refresh_token"));

        JWTClaimsSet claims = JWTParser.parse(access).getJWTClaimsSet();
        assertThat(claims.getStringClaim("preferred_username")).isEqualTo(user);
        assertThat(claims.getAudience()).contains(keycloak.audience());
        assertThat(claims.getStringListClaim("groups")).containsExactly("analysts");

        // The settings were saved: token needs no flags, and prints the cached token alone.
        assertThat(Files.readString(config.resolve("profiles.yaml"))).contains("issuer: " + keycloak.issuer())
                .contains("user: " + user).doesNotContain(access);
        CliRun token = CliRun.run(args("token"));
        assertThat(token.exitCode(Duration.ZERO)).as(token.err()).isZero();
        assertThat(token.out()).isEqualTo(access + System.lineSeparator());
        assertThat(token.err()).isEmpty();
    }

    @Test
    void browserSignInWithPkceDeliversTheCodeToTheLoopbackRedirect() throws Exception {
        String user = newUser(Set.of("readers"));
        try (CliRun login = CliRun.start(args("login", "--profile", "desk", "--issuer", keycloak.issuer().toString(),
                "--client-id", keycloak.cliClientId(), "--browser", "--no-open"))) {
            login.awaitLine(line -> line.startsWith("To sign in, open this URL"), SIGN_IN);
            URI url = URI.create(login.awaitLine(line -> line.startsWith("http"), SIGN_IN));
            Map<String, String> query = query(url);
            assertThat(query).containsEntry("code_challenge_method", "S256").containsKey("code_challenge")
                    .containsKey("state").containsEntry("client_id", keycloak.cliClientId())
                    .containsEntry("response_type", "code");
            assertThat(query.get("redirect_uri")).matches("http://127\\.0\\.0\\.1:\\d+/callback");

            URI landed = keycloak.browser().signIn(url, user, PASSWORD);
            assertThat(landed.toString()).startsWith(query.get("redirect_uri"));
            assertThat(login.exitCode(SIGN_IN)).as(login.err()).isZero();
        }
        String access = (String) cached("desk").get("access_token");
        assertThat(JWTParser.parse(access).getJWTClaimsSet().getStringClaim("preferred_username")).isEqualTo(user);
        assertThat(config.resolve("tokens/default.json")).doesNotExist();
    }

    @Test
    void aRedirectWithAnotherStateEndsTheBrowserSignIn() throws Exception {
        try (CliRun login = CliRun.start(args("login", "--issuer", keycloak.issuer().toString(),
                "--client-id", keycloak.cliClientId(), "--browser", "--no-open"))) {
            login.awaitLine(line -> line.startsWith("To sign in, open this URL"), SIGN_IN);
            URI url = URI.create(login.awaitLine(line -> line.startsWith("http"), SIGN_IN));
            URI forged = URI.create(query(url).get("redirect_uri") + "?code=forged&state=not-the-one-sent");
            HttpResponse<String> page = HttpClient.newHttpClient().send(HttpRequest.newBuilder(forged).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(page.statusCode()).isEqualTo(400);
            assertThat(login.exitCode(SIGN_IN)).isEqualTo(1);
            assertThat(login.err()).contains("pgwarden: the browser's redirect carried a wrong state");
        }
        assertThat(config.resolve("tokens/default.json")).doesNotExist();
    }

    @Test
    void tokenRefreshesSilentlyAfterTheAccessTokenExpired() throws Exception {
        String user = newUser(Set.of("analysts"));
        keycloak.setAccessTokenLifespan(Duration.ofSeconds(3));
        try {
            assertThat(deviceLogin(user).exitCode(SIGN_IN)).isZero();
            Map<String, Object> before = cached("default");
            Instant expiry = Instant.ofEpochSecond(((Number) before.get("expires_at")).longValue());
            Thread.sleep(Math.max(0, Duration.between(Instant.now(), expiry).toMillis()) + 1_500);

            CliRun token = CliRun.run(args("token", "--min-validity", "0"));
            assertThat(token.exitCode(Duration.ZERO)).as(token.err()).isZero();
            String fresh = token.out().trim();
            SECRETS.add(fresh);
            assertThat(fresh).isNotEqualTo(before.get("access_token"));
            assertThat(JWTParser.parse(fresh).getJWTClaimsSet().getExpirationTime()).isAfter(Date.from(Instant.now()));
            assertThat(cached("default")).containsEntry("access_token", fresh);
            assertThat(token.err()).isEmpty();
        } finally {
            keycloak.setAccessTokenLifespan(KeycloakServer.DEFAULT_ACCESS_TOKEN_LIFESPAN);
        }
    }

    @Test
    void whenTheSessionAtTheProviderExpiredTokenSaysTheLoginExpired() throws Exception {
        String user = newUser(Set.of("analysts"));
        keycloak.setSessionMaxLifespan(Duration.ofSeconds(10));
        try {
            assertThat(deviceLogin(user).exitCode(SIGN_IN)).isZero();
            // Keycloak ends the access token no later than the session: once it has expired, so has the refresh token.
            Instant expiry = Instant.ofEpochSecond(((Number) cached("default").get("expires_at")).longValue());
            assertThat(expiry).isBefore(Instant.now().plusSeconds(11));
            Thread.sleep(Math.max(0, Duration.between(Instant.now(), expiry).toMillis()) + 1_500);

            CliRun token = CliRun.run(args("token"));
            assertThat(token.exitCode(Duration.ZERO)).isEqualTo(1);
            assertThat(token.out()).isEmpty();
            assertThat(token.err()).startsWith("pgwarden: login expired (the identity provider refused the refresh:")
                    .endsWith("; run pgwarden login --profile default" + System.lineSeparator());
        } finally {
            keycloak.setSessionMaxLifespan(KeycloakServer.DEFAULT_SESSION_MAX_LIFESPAN);
        }
    }

    @Test
    void afterTheProviderEndedTheSessionTokenSaysTheLoginExpired() throws Exception {
        String user = newUser(Set.of("analysts"));
        assertThat(deviceLogin(user).exitCode(SIGN_IN)).isZero();
        keycloak.logout(user);

        CliRun token = CliRun.run(args("token", "--min-validity", "3600"));
        assertThat(token.exitCode(Duration.ZERO)).isEqualTo(1);
        assertThat(token.out()).isEmpty();
        assertThat(token.err()).startsWith("pgwarden: login expired (the identity provider refused the refresh: invalid_grant")
                .endsWith("; run pgwarden login --profile default" + System.lineSeparator());
    }

    @Test
    void logoutRevokesTheRefreshTokenAtTheProviderAndDeletesTheCache() throws Exception {
        String user = newUser(Set.of("analysts"));
        assertThat(deviceLogin(user).exitCode(SIGN_IN)).isZero();
        String refreshToken = (String) cached("default").get("refresh_token");

        CliRun logout = CliRun.run(args("logout"));
        assertThat(logout.exitCode(Duration.ZERO)).isZero();
        assertThat(logout.err()).isEqualTo("Logged out of profile default." + System.lineSeparator());
        assertThat(config.resolve("tokens/default.json")).doesNotExist();
        assertThat(config.resolve("profiles.yaml")).exists();

        HttpResponse<String> refresh = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create(keycloak.issuer() + "/protocol/openid-connect/token"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("grant_type=refresh_token&client_id=" + keycloak.cliClientId()
                        + "&refresh_token=" + refreshToken))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(refresh.statusCode()).as("the revoked refresh token is refused").isEqualTo(400);
        assertThat(refresh.body()).contains("invalid_grant");

        CliRun token = CliRun.run(args("token"));
        assertThat(token.exitCode(Duration.ZERO)).isEqualTo(1);
        assertThat(token.err()).contains("not logged in with profile default; run pgwarden login --profile default");
    }

    @Test
    void anIssuerWithATypoIsAWrongIssuer() throws Exception {
        URI typo = URI.create(keycloak.issuer() + "x");
        CliRun login = CliRun.run(args("login", "--issuer", typo.toString(), "--client-id", keycloak.cliClientId(),
                "--device"));
        assertThat(login.exitCode(Duration.ZERO)).isEqualTo(1);
        assertThat(login.err()).startsWith("pgwarden: wrong issuer? " + typo + "/.well-known/openid-configuration answered"
                + " HTTP 404");
        assertThat(config.resolve("profiles.yaml")).doesNotExist();
    }

    @Test
    void anIssuerThatDiffersFromTheProvidersOwnNameIsAWrongIssuer() throws Exception {
        URI slash = URI.create(keycloak.issuer() + "/");
        CliRun login = CliRun.run(args("login", "--issuer", slash.toString(), "--client-id", keycloak.cliClientId(),
                "--device"));
        assertThat(login.exitCode(Duration.ZERO)).isEqualTo(1);
        assertThat(login.err()).startsWith("pgwarden: wrong issuer: " + keycloak.issuer()
                + "/.well-known/openid-configuration names the issuer " + keycloak.issuer() + ", not " + slash + ";");
    }

    @Test
    void anUnreachableIssuerIsNamedWithWhatFailed() throws Exception {
        int closed;
        try (ServerSocket socket = new ServerSocket(0)) {
            closed = socket.getLocalPort();
        }
        URI issuer = URI.create("http://127.0.0.1:" + closed + "/realms/pgwarden");
        CliRun login = CliRun.run(args("login", "--issuer", issuer.toString(), "--client-id", "pgwarden-cli", "--device"));
        assertThat(login.exitCode(Duration.ZERO)).isEqualTo(1);
        assertThat(login.err()).isEqualTo("pgwarden: cannot reach " + issuer + "/.well-known/openid-configuration:"
                + " connection refused or no route; check the issuer and your network (VPN, proxy)" + System.lineSeparator());
    }

    @Test
    void aDeviceLoginOfAClientWithoutTheDeviceGrantSaysSo() throws Exception {
        CliRun login = CliRun.run(args("login", "--issuer", keycloak.issuer().toString(), "--client-id", "no-such-client",
                "--device"));
        assertThat(login.exitCode(Duration.ZERO)).isEqualTo(1);
        assertThat(login.err()).startsWith("pgwarden: the identity provider refused to start a device login for client"
                + " no-such-client: ");
    }

    /** Starts a device login with the realm's issuer and client, approves it in a browser as {@code user}. */
    private CliRun deviceLogin(String user, String... extra) throws InterruptedException {
        List<String> login = new ArrayList<>(args("login", "--issuer", keycloak.issuer().toString(), "--client-id",
                keycloak.cliClientId(), "--device"));
        login.addAll(Arrays.asList(extra));
        CliRun run = CliRun.start(login);
        URI verification = run.awaitUrlAfter("To sign in, open ", SIGN_IN);
        assertThat(verification.getQuery()).startsWith("user_code=");
        keycloak.browser().approveDevice(verification, user, PASSWORD);
        run.exitCode(SIGN_IN);
        run.close();
        for (Object token : List.of(cachedOrEmpty("access_token"), cachedOrEmpty("refresh_token"))) {
            if (!token.toString().isEmpty()) {
                SECRETS.add(token.toString());
            }
        }
        return run;
    }

    private Object cachedOrEmpty(String key) {
        try {
            return cached("default").getOrDefault(key, "");
        } catch (IOException | ParseException e) {
            return "";
        }
    }

    /** {@code pgwarden COMMAND --config-dir DIR ARGS...}. */
    private List<String> args(String command, String... args) {
        List<String> all = new ArrayList<>(List.of(command, "--config-dir", config.toString()));
        all.addAll(Arrays.asList(args));
        return all;
    }

    private Map<String, Object> cached(String profile) throws IOException, ParseException {
        return JSONObjectUtils.parse(Files.readString(config.resolve("tokens/" + profile + ".json")));
    }

    private static Map<String, String> query(URI url) {
        return Arrays.stream(url.getRawQuery().split("&")).map(pair -> pair.split("=", 2))
                .collect(Collectors.toMap(pair -> URLDecoder.decode(pair[0], StandardCharsets.UTF_8),
                        pair -> pair.length < 2 ? "" : URLDecoder.decode(pair[1], StandardCharsets.UTF_8)));
    }

    private static String newUser(Set<String> groups) {
        String user = "login" + USERS.incrementAndGet() + "_" + Long.toString(System.nanoTime() % 100_000, 36);
        keycloak.createUser(user, PASSWORD, user + "@example.com", groups);
        return user;
    }
}
