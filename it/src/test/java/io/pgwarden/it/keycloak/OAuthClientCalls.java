package io.pgwarden.it.keycloak;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.util.JSONObjectUtils;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * What a CLI does at the realm's endpoints, written out by hand for {@link KeycloakServerIT}: device authorization and
 * polling, the code exchange with a PKCE verifier, the refresh grant, and reading an access token after checking its
 * signature against the realm's JWKS.
 */
final class OAuthClientCalls {

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final URI issuer;
    private final String clientId;

    /** Calls to the endpoints under {@code issuer} as the public client {@code clientId}. */
    OAuthClientCalls(URI issuer, String clientId) {
        this.issuer = issuer;
        this.clientId = clientId;
    }

    /** An answer of an endpoint: status and JSON body. */
    record Answer(int status, Map<String, Object> json) {

        /** A string member, or fails naming the whole error answer (which holds no token when the status is not 200). */
        String string(String name) {
            Object value = json.get(name);
            if (!(value instanceof String s)) {
                throw new AssertionError("no '" + name + "' in the answer " + status + " " + (status == 200 ? json.keySet() : json));
            }
            return s;
        }
    }

    /** POST /protocol/openid-connect/auth/device. */
    Answer deviceAuthorization(String scope) {
        return post("/protocol/openid-connect/auth/device", Map.of("client_id", clientId, "scope", scope));
    }

    /** Polls the token endpoint with the device code until it answers something else than authorization_pending. */
    Answer pollDeviceToken(String deviceCode, Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        while (true) {
            Answer answer = post("/protocol/openid-connect/token", Map.of("client_id", clientId, "device_code", deviceCode,
                    "grant_type", "urn:ietf:params:oauth:grant-type:device_code"));
            Object error = answer.json().get("error");
            boolean pending = "authorization_pending".equals(error) || "slow_down".equals(error);
            if (!pending || Instant.now().isAfter(deadline)) {
                return answer;
            }
            sleep(Duration.ofSeconds(1));
        }
    }

    /** The code exchange; {@code verifier} null leaves code_verifier out. */
    Answer exchangeCode(String code, URI redirectUri, String verifier) {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("grant_type", "authorization_code");
        form.put("client_id", clientId);
        form.put("code", code);
        form.put("redirect_uri", redirectUri.toString());
        if (verifier != null) {
            form.put("code_verifier", verifier);
        }
        return post("/protocol/openid-connect/token", form);
    }

    /** The refresh grant. */
    Answer refresh(String refreshToken) {
        return post("/protocol/openid-connect/token", Map.of("grant_type", "refresh_token", "client_id", clientId,
                "refresh_token", refreshToken));
    }

    /** The claims of an access token whose signature the realm's JWKS confirms. */
    JWTClaimsSet verifiedClaims(String accessToken) {
        try {
            SignedJWT jwt = SignedJWT.parse(accessToken);
            JWKSet keys = JWKSet.load(URI.create(issuer + "/protocol/openid-connect/certs").toURL());
            RSASSAVerifier verifier = new RSASSAVerifier(keys.getKeyByKeyId(jwt.getHeader().getKeyID()).toRSAKey());
            if (!jwt.verify(verifier)) {
                throw new AssertionError("the access token's signature does not verify with the realm's key");
            }
            return jwt.getJWTClaimsSet();
        } catch (ParseException | JOSEException | IOException e) {
            throw new AssertionError("the access token cannot be verified: " + e.getMessage(), e);
        }
    }

    /** A PKCE code verifier (43 characters of base64url). */
    static String newVerifier() {
        byte[] bytes = new byte[32];
        new SecureRandom().nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** Its S256 challenge. */
    static String challenge(String verifier) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The authorization URL of the code flow; {@code challenge} null leaves PKCE out. */
    URI authorizationUrl(URI redirectUri, String state, String challenge) {
        Map<String, String> query = new LinkedHashMap<>();
        query.put("client_id", clientId);
        query.put("response_type", "code");
        query.put("scope", "openid");
        query.put("redirect_uri", redirectUri.toString());
        query.put("state", state);
        if (challenge != null) {
            query.put("code_challenge", challenge);
            query.put("code_challenge_method", "S256");
        }
        return URI.create(issuer + "/protocol/openid-connect/auth?" + form(query));
    }

    private Answer post(String path, Map<String, String> fields) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(issuer + path))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form(fields)))
                .build();
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            return new Answer(response.statusCode(), JSONObjectUtils.parse(response.body()));
        } catch (IOException | ParseException e) {
            throw new AssertionError("POST " + path + " failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    private static String form(Map<String, String> fields) {
        return fields.entrySet().stream()
                .map(e -> encode(e.getKey()) + "=" + encode(e.getValue()))
                .collect(Collectors.joining("&"));
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }
}
