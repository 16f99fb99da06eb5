package io.pgwarden.it.keycloak;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * One Keycloak per test JVM, started on first use, stopped at JVM end (and when JUnit closes its root store, see
 * {@link KeycloakServerShutdown}).
 *
 * <p>The realm {@code pgwarden} comes from {@code it/src/test/resources/keycloak/pgwarden-realm.json}: the public client
 * {@code pgwarden-cli} (device grant; code flow with PKCE S256 required by a client policy; loopback redirects on any
 * port; no consent in the code flow, Keycloak always asks in the device flow) whose access tokens carry {@code aud}
 * {@code pgwarden}, {@code preferred_username}, {@code email} and {@code groups} (plain names).
 *
 * <p>The server is shared by every test class of the JVM: use usernames no other test uses, and put back what you change
 * realm-wide ({@link #setAccessTokenLifespan}, {@link #setSessionMaxLifespan}).
 */
public final class KeycloakServer {

    /** The realm every test uses. */
    static final String REALM = "pgwarden";

    /** The realm's access token lifespan as imported. */
    public static final Duration DEFAULT_ACCESS_TOKEN_LIFESPAN = Duration.ofMinutes(5);

    /** The realm's SSO session maximum lifespan as imported. */
    public static final Duration DEFAULT_SESSION_MAX_LIFESPAN = Duration.ofHours(10);

    private static final String CLI_CLIENT_ID = "pgwarden-cli";
    private static final String AUDIENCE = "pgwarden";

    private static KeycloakServer shared;
    private static RuntimeException startFailure;
    private static boolean shutdownHookAdded;

    private final KeycloakProcess process;
    private final KeycloakAdmin admin;

    private KeycloakServer(KeycloakProcess process) {
        this.process = process;
        this.admin = new KeycloakAdmin(process.baseUri(), REALM, KeycloakProcess.ADMIN_USERNAME, process.adminPassword());
    }

    /**
     * The one server of this JVM, started if needed (free port, in-memory database, the pgwarden realm imported). A start
     * that failed is not tried again in the same JVM: later calls fail at once with the first failure as the cause.
     */
    public static synchronized KeycloakServer shared() {
        if (startFailure != null) {
            throw new IllegalStateException("Keycloak failed to start earlier in this test JVM", startFailure);
        }
        if (shared == null) {
            try {
                shared = new KeycloakServer(KeycloakProcess.start(REALM));
            } catch (RuntimeException e) {
                startFailure = e;
                throw e;
            }
            if (!shutdownHookAdded) {
                Runtime.getRuntime().addShutdownHook(new Thread(KeycloakServer::stopShared, "keycloak-stop"));
                shutdownHookAdded = true;
            }
        }
        return shared;
    }

    /** Stops the shared server if one runs; a later {@link #shared()} starts a new one. */
    static synchronized void stopShared() {
        if (shared != null) {
            shared.process.stop();
            shared = null;
        }
    }

    /** The realm's issuer, {@code http://127.0.0.1:PORT/realms/pgwarden}. */
    public URI issuer() {
        return URI.create(process.baseUri() + "/realms/" + REALM);
    }

    /** {@code pgwarden-cli}: public client with the device grant and the code flow with PKCE S256 to loopback URIs. */
    public String cliClientId() {
        return CLI_CLIENT_ID;
    }

    /** {@code pgwarden}: the audience an audience mapper puts into access tokens of {@link #cliClientId()}. */
    public String audience() {
        return AUDIENCE;
    }

    /** Where Keycloak's own output goes (for failure analysis and leak checks). */
    public Path logFile() {
        return process.logFile();
    }

    /** Creates an enabled user with a password, a verified email and these groups (created on demand). */
    public void createUser(String username, String password, String email, Set<String> groups) {
        Objects.requireNonNull(username, "username");
        Objects.requireNonNull(password, "password");
        Objects.requireNonNull(email, "email");
        Map<String, Object> user = new LinkedHashMap<>();
        user.put("username", username);
        user.put("email", email);
        user.put("emailVerified", true);
        user.put("enabled", true);
        // First and last name keep Keycloak's user profile from asking for them at the first login.
        user.put("firstName", username);
        user.put("lastName", username);
        user.put("credentials", List.of(Map.of("type", "password", "value", password, "temporary", false)));
        admin.post("/users", user, 201);
        setGroups(username, groups);
    }

    /** Makes the user a member of exactly these groups (top-level groups by name, created on demand). */
    public void setGroups(String username, Set<String> groups) {
        Objects.requireNonNull(groups, "groups");
        String userId = userId(username);
        Set<String> missing = new HashSet<>(groups);
        for (Map<String, Object> group : admin.getArray("/users/" + userId + "/groups?briefRepresentation=true")) {
            if (!missing.remove((String) group.get("name"))) {
                admin.delete("/users/" + userId + "/groups/" + group.get("id"), 204);
            }
        }
        for (String name : missing) {
            admin.put("/users/" + userId + "/groups/" + groupId(name), null, 204);
        }
    }

    /** Sets the realm's access token lifespan (whole seconds, at least one) for expiry and refresh tests. */
    public void setAccessTokenLifespan(Duration lifespan) {
        admin.put("", Map.of("accessTokenLifespan", wholeSeconds(lifespan)), 204);
    }

    /**
     * Sets the realm's SSO session maximum lifespan (whole seconds, at least one): refresh tokens expire with their
     * session, so a login older than this must start again (for "login expired" tests). Access tokens end no later.
     */
    public void setSessionMaxLifespan(Duration lifespan) {
        admin.put("", Map.of("ssoSessionMaxLifespan", wholeSeconds(lifespan)), 204);
    }

    /** Ends every session of the user and revokes their offline tokens: their refresh tokens stop working. */
    public void logout(String username) {
        String userId = userId(username);
        admin.post("/users/" + userId + "/logout", Map.of(), 204);
        admin.delete("/users/" + userId + "/consents/" + CLI_CLIENT_ID, 204, 404);
    }

    /** A new browser (its own cookie jar) for this server's login pages. */
    public KeycloakBrowser browser() {
        return new KeycloakBrowser();
    }

    private static long wholeSeconds(Duration lifespan) {
        Objects.requireNonNull(lifespan, "lifespan");
        if (lifespan.getSeconds() < 1 || lifespan.getNano() != 0) {
            throw new IllegalArgumentException("a lifespan is whole seconds, at least one: " + lifespan);
        }
        return lifespan.getSeconds();
    }

    private String userId(String username) {
        Objects.requireNonNull(username, "username");
        List<Map<String, Object>> users = admin.getArray("/users?exact=true&briefRepresentation=true&username="
                + KeycloakAdmin.segment(username));
        return users.stream()
                .filter(user -> username.equals(user.get("username")))
                .map(user -> (String) user.get("id"))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no user " + username + " in realm " + REALM));
    }

    private String groupId(String name) {
        if (name.isEmpty() || name.contains("/")) {
            throw new IllegalArgumentException("a group name is not empty and has no '/': " + name);
        }
        String path = "/group-by-path/" + KeycloakAdmin.segment(name);
        if (!admin.exists(path)) {
            admin.post("/groups", Map.of("name", name), 201, 409);
        }
        return (String) admin.getObject(path).get("id");
    }
}
