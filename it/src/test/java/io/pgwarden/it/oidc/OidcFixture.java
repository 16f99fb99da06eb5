package io.pgwarden.it.oidc;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.util.JSONObjectUtils;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.OAuth2Config;
import no.nav.security.mock.oauth2.http.MockWebServerWrapper;
import no.nav.security.mock.oauth2.http.OAuth2HttpResponse;
import no.nav.security.mock.oauth2.http.OAuth2HttpRouterKt;
import no.nav.security.mock.oauth2.http.Route;
import no.nav.security.mock.oauth2.token.DefaultOAuth2TokenCallback;
import no.nav.security.mock.oauth2.token.KeyProvider;
import no.nav.security.mock.oauth2.token.OAuth2TokenProvider;
import okhttp3.Headers;

/**
 * A real OIDC provider in the test JVM: navikt's mock-oauth2-server on {@code 127.0.0.1} on a free port, one issuer
 * {@code http://127.0.0.1:PORT/<issuerId>} serving discovery, JWKS and a token endpoint, and signing tokens with
 * claims the test chooses.
 *
 * <p>mock-oauth2-server names its signing key after the issuer id ({@code kid = issuerId}) and keeps it for the
 * life of its key provider, so a real rotation (a new key under a new kid, published next to the old one, as
 * Keycloak and Entra do) is added here: {@link #rotateKey()} publishes a fresh RSA key through an extra route that
 * replaces the JWKS endpoint, and later tokens are signed with it. The provider's keys start fresh (random) for
 * every fixture rather than from the library's fixed key file, so two fixtures never share a key.
 *
 * <p>{@link #stop()} takes the provider down; {@link #start()} brings it back on the same port with the same keys.
 * Every token this fixture hands out is remembered ({@link #issuedTokens()}) so tests can check logs never show one.
 */
final class OidcFixture implements AutoCloseable {

    /** The audience the proxies in these tests accept. */
    static final String AUDIENCE = "pgwarden";

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final String issuerId;
    private final OAuth2TokenProvider tokenProvider = new OAuth2TokenProvider(new KeyProvider(List.of()));
    private final List<RSAKey> extraKeys = new CopyOnWriteArrayList<>();
    private final List<String> issued = new CopyOnWriteArrayList<>();
    private volatile RSAKey signer;
    private volatile MockOAuth2Server server;
    private volatile int port;

    private OidcFixture(String issuerId) {
        this.issuerId = issuerId;
    }

    /** Starts a provider with one issuer {@code http://127.0.0.1:PORT/<issuerId>} on a free port. */
    static OidcFixture start(String issuerId) {
        OidcFixture fixture = new OidcFixture(Objects.requireNonNull(issuerId, "issuerId"));
        // An explicit port from the start: MockWebServer sets SO_REUSEADDR only then, and without it the
        // connections the first server accepted keep the port from being bound again after stop().
        fixture.startOn(freePort());
        return fixture;
    }

    /** The issuer, exactly as the tokens' {@code iss} and the discovery document's {@code issuer} say it. */
    String issuer() {
        return "http://127.0.0.1:" + port + "/" + issuerId;
    }

    /** The JWKS endpoint. */
    URI jwksUri() {
        return URI.create(issuer() + "/jwks");
    }

    /** The discovery document. */
    URI discoveryUri() {
        return URI.create(issuer() + "/.well-known/openid-configuration");
    }

    int port() {
        return port;
    }

    /** Every token this fixture issued or crafted, for checks that logs never contain one. */
    List<String> issuedTokens() {
        return List.copyOf(issued);
    }

    /** A token for {@code role} (claim {@code preferred_username}) with defaults: audience pgwarden, valid 10 minutes. */
    TokenSpec token(String role) {
        return new TokenSpec(this, role);
    }

    /** Takes the provider down: its port refuses connections until {@link #start()}. */
    synchronized void stop() {
        MockOAuth2Server running = server;
        server = null;
        if (running != null) {
            running.shutdown();
        }
    }

    /** Brings the provider back on the same port, with the same keys. */
    synchronized void start() {
        if (server == null) {
            startOn(port);
        }
    }

    /**
     * Rotates the signing key as a real provider does: a new RSA key under a new kid is published next to the old
     * ones, and every later token is signed with it.
     */
    RSAKey rotateKey() {
        RSAKey key = newRsaKey(issuerId + "-rotated-" + (extraKeys.size() + 1));
        extraKeys.add(key);
        signer = key;
        return key;
    }

    /** The JWKS as the provider serves it now (public keys only). */
    JWKSet publishedKeys() {
        List<JWK> keys = new ArrayList<>(tokenProvider.publicJwkSet(issuerId).getKeys());
        extraKeys.forEach(key -> keys.add(key.toPublicJWK()));
        return new JWKSet(keys);
    }

    /** Fetches a URL of this provider over HTTP, as a client (or an attacker) would. */
    String fetch(URI uri) throws IOException, InterruptedException {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException("GET " + uri + " answered " + response.statusCode());
        }
        return response.body();
    }

    /** Remembers a token crafted outside the fixture so log checks cover it too. */
    String remember(String token) {
        issued.add(token);
        return token;
    }

    @Override
    public void close() {
        stop();
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByAddress(new byte[] {127, 0, 0, 1}))) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port", e);
        }
    }

    private void startOn(int requestedPort) {
        OAuth2Config config = new OAuth2Config(false, null, null, false, tokenProvider, Set.of(), new MockWebServerWrapper());
        // Replaces the library's JWKS route so rotated keys are published next to the provider's own key.
        Route jwks = OAuth2HttpRouterKt.route("/" + issuerId + "/jwks", request -> new OAuth2HttpResponse(
                Headers.of("Content-Type", "application/json"), 200, publishedKeys().toString(), null));
        MockOAuth2Server next = new MockOAuth2Server(config, jwks);
        try {
            // A literal address with its own name: the issuer URL then says 127.0.0.1, never a reverse-looked-up name.
            next.start(InetAddress.getByAddress("127.0.0.1", new byte[] {127, 0, 0, 1}), requestedPort);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        } catch (IOException e) {
            throw new UncheckedIOException("could not start the OIDC provider on port " + requestedPort, e);
        }
        port = next.baseUrl().port();
        String advertised = next.issuerUrl(issuerId).toString();
        if (!advertised.equals(issuer())) {
            next.shutdown();
            throw new IllegalStateException("the provider advertises issuer " + advertised + ", expected " + issuer());
        }
        server = next;
    }

    private static RSAKey newRsaKey(String kid) {
        try {
            return new RSAKeyGenerator(2048).keyID(kid).generate();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Signs claims RS256 with {@code key} under its kid, exactly as a provider would. */
    static String sign(RSAKey key, JWTClaimsSet claims) {
        try {
            SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID())
                    .type(JOSEObjectType.JWT).build(), claims);
            jwt.sign(new RSASSASigner(key));
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    /** What a token says; {@link #issue()} signs it with the provider's current key. */
    static final class TokenSpec {
        private final OidcFixture provider;
        private String subject = UUID.randomUUID().toString();
        private final Map<String, Object> claims = new LinkedHashMap<>();
        private List<String> audience = List.of(AUDIENCE);
        private Duration expiresIn = Duration.ofMinutes(10);
        private Duration notBeforeIn;

        private TokenSpec(OidcFixture provider, String role) {
            this.provider = provider;
            if (role != null) {
                claims.put("preferred_username", role);
                claims.put("email", role + "@example.com");
            }
        }

        TokenSpec subject(String value) {
            subject = value;
            return this;
        }

        TokenSpec groups(String... groups) {
            claims.put("groups", List.of(groups));
            return this;
        }

        TokenSpec audience(String... values) {
            audience = List.of(values);
            return this;
        }

        /** Time from now to {@code exp}; negative for a token that has expired. */
        TokenSpec expiresIn(Duration value) {
            expiresIn = value;
            return this;
        }

        /** Time from now to {@code nbf}; positive for a token not valid yet. */
        TokenSpec notBeforeIn(Duration value) {
            notBeforeIn = value;
            return this;
        }

        TokenSpec claim(String name, Object value) {
            claims.put(name, value);
            return this;
        }

        /** The claims as a provider would put them in the token. */
        JWTClaimsSet claimsSet() {
            Instant now = Instant.now();
            JWTClaimsSet.Builder builder = new JWTClaimsSet.Builder()
                    .issuer(provider.issuer())
                    .subject(subject)
                    .audience(audience)
                    .issueTime(Date.from(now))
                    .notBeforeTime(Date.from(notBeforeIn == null ? now : now.plus(notBeforeIn)))
                    .expirationTime(Date.from(now.plus(expiresIn)))
                    .jwtID(UUID.randomUUID().toString());
            claims.forEach(builder::claim);
            return builder.build();
        }

        /**
         * Signs the token: through mock-oauth2-server's own token provider with the issuer's key while no key was
         * rotated, else with the newest rotated key.
         */
        String issue() {
            RSAKey rotated = provider.signer;
            String token;
            if (rotated != null) {
                token = sign(rotated, claimsSet());
            } else {
                Map<String, Object> extra = new LinkedHashMap<>(claims);
                extra.put("aud", audience);
                if (notBeforeIn != null) {
                    extra.put("nbf", Instant.now().plus(notBeforeIn).getEpochSecond());
                }
                MockOAuth2Server running = provider.requireRunning();
                token = running.issueToken(provider.issuerId, subject, AUDIENCE, extra, expiresIn.toSeconds()).serialize();
            }
            return provider.remember(token);
        }

        /**
         * Gets the token from the provider's token endpoint over HTTP (client credentials grant), as a CLI that
         * signs a person in would; the claims come from this spec.
         */
        String fromTokenEndpoint() throws IOException, InterruptedException {
            MockOAuth2Server running = provider.requireRunning();
            Map<String, Object> extra = new LinkedHashMap<>(claims);
            running.enqueueCallback(new DefaultOAuth2TokenCallback(provider.issuerId, subject, JOSEObjectType.JWT.getType(),
                    audience, extra, expiresIn.toSeconds()));
            // mock-oauth2-server makes the client id the subject of a client-credentials token.
            String form = "grant_type=client_credentials&client_id=" + URLEncoder.encode(subject, StandardCharsets.UTF_8)
                    + "&client_secret=secret&scope=openid";
            HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(provider.issuer() + "/token"))
                    .timeout(Duration.ofSeconds(5))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IOException("the token endpoint answered " + response.statusCode() + ": " + response.body());
            }
            try {
                return provider.remember(JSONObjectUtils.getString(JSONObjectUtils.parse(response.body()), "access_token"));
            } catch (ParseException e) {
                throw new IOException("the token endpoint answered no JSON", e);
            }
        }
    }

    private MockOAuth2Server requireRunning() {
        MockOAuth2Server running = server;
        if (running == null) {
            throw new IllegalStateException("the provider is stopped; issue tokens before stopping it");
        }
        return running;
    }
}
