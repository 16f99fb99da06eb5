package io.pgwarden.it.keycloak;

import com.nimbusds.jose.util.JSONArrayUtils;
import com.nimbusds.jose.util.JSONObjectUtils;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Keycloak's admin REST API for one realm, as the bootstrap admin of the master realm (client {@code admin-cli}, password
 * grant). The admin token is fetched again shortly before it expires. Failures name the request and Keycloak's answer.
 */
final class KeycloakAdmin {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final URI baseUri;
    private final String realm;
    private final String username;
    private final String password;
    private String token;
    private Instant tokenRefreshAt = Instant.MIN;

    /** The admin API of {@code realm} at {@code baseUri}, signing in as {@code username} of the master realm. */
    KeycloakAdmin(URI baseUri, String realm, String username, String password) {
        this.baseUri = Objects.requireNonNull(baseUri, "baseUri");
        this.realm = Objects.requireNonNull(realm, "realm");
        this.username = Objects.requireNonNull(username, "username");
        this.password = Objects.requireNonNull(password, "password");
    }

    /** GET {@code /admin/realms/REALM + path}, a JSON object. */
    Map<String, Object> getObject(String path) {
        return parseObject(send("GET", path, null, 200).body());
    }

    /** GET {@code /admin/realms/REALM + path}, a JSON array of objects. */
    List<Map<String, Object>> getArray(String path) {
        String body = send("GET", path, null, 200).body();
        try {
            return JSONArrayUtils.parse(body).stream().map(KeycloakAdmin::asObject).toList();
        } catch (ParseException e) {
            throw new IllegalStateException("Keycloak answered GET " + path + " with no JSON array: " + body, e);
        }
    }

    /** Whether GET {@code /admin/realms/REALM + path} finds something (200) rather than nothing (404). */
    boolean exists(String path) {
        return send("GET", path, null, 200, 404).statusCode() == 200;
    }

    /** POST a JSON object, expecting one of {@code expected}; returns the response (for its Location). */
    HttpResponse<String> post(String path, Map<String, ?> json, int... expected) {
        return send("POST", path, JSONObjectUtils.toJSONString(json), expected);
    }

    /** PUT a JSON object (or no body), expecting one of {@code expected}. */
    HttpResponse<String> put(String path, Map<String, ?> json, int... expected) {
        return send("PUT", path, json == null ? null : JSONObjectUtils.toJSONString(json), expected);
    }

    /** DELETE, expecting one of {@code expected}. */
    HttpResponse<String> delete(String path, int... expected) {
        return send("DELETE", path, null, expected);
    }

    /** One path segment, percent-encoded. */
    static String segment(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private HttpResponse<String> send(String method, String path, String json, int... expected) {
        URI uri = URI.create(baseUri + "/admin/realms/" + realm + path);
        HttpRequest.BodyPublisher body = json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json);
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(TIMEOUT)
                .header("Authorization", "Bearer " + token())
                .header("Content-Type", "application/json")
                .header("Accept", "application/json")
                .method(method, body)
                .build();
        HttpResponse<String> response = exchange(request);
        for (int status : expected) {
            if (response.statusCode() == status) {
                return response;
            }
        }
        throw new IllegalStateException("Keycloak answered " + method + " " + path + " with " + response.statusCode() + ": "
                + response.body());
    }

    private synchronized String token() {
        if (token == null || Instant.now().isAfter(tokenRefreshAt)) {
            String form = "grant_type=password&client_id=admin-cli&username=" + URLEncoder.encode(username, StandardCharsets.UTF_8)
                    + "&password=" + URLEncoder.encode(password, StandardCharsets.UTF_8);
            HttpRequest request = HttpRequest.newBuilder(URI.create(baseUri + "/realms/master/protocol/openid-connect/token"))
                    .timeout(TIMEOUT)
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString(form))
                    .build();
            HttpResponse<String> response = exchange(request);
            if (response.statusCode() != 200) {
                // The body is Keycloak's error object, which names no secret.
                throw new IllegalStateException("Keycloak refused the admin login: " + response.statusCode() + " " + response.body());
            }
            Map<String, Object> answer = parseObject(response.body());
            token = (String) answer.get("access_token");
            long lifetime = ((Number) answer.get("expires_in")).longValue();
            tokenRefreshAt = Instant.now().plusSeconds(Math.max(0, lifetime - 15));
        }
        return token;
    }

    private HttpResponse<String> exchange(HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalStateException("Keycloak did not answer " + request.method() + " " + request.uri(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted during " + request.method() + " " + request.uri(), e);
        }
    }

    private static Map<String, Object> parseObject(String body) {
        try {
            return JSONObjectUtils.parse(body);
        } catch (ParseException e) {
            throw new IllegalStateException("Keycloak answered with no JSON object: " + body, e);
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> asObject(Object element) {
        if (element instanceof Map<?, ?> map) {
            return (Map<String, Object>) map;
        }
        throw new IllegalStateException("expected a JSON object in Keycloak's array, got " + element);
    }
}
