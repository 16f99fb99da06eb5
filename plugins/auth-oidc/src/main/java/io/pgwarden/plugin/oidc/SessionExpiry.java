package io.pgwarden.plugin.oidc;

import io.pgwarden.spi.AuthContext;
import io.pgwarden.spi.Decision;
import io.pgwarden.spi.Identity;
import io.pgwarden.spi.PluginConfig;
import io.pgwarden.spi.PluginConfigException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Objects;
import java.util.Set;

/**
 * {@code session_expiry}: when enabled, a session of method {@code oidc} or {@code oauth} ends when its token
 * expires, plus {@code grace}: the core ends it then (at once when idle, else after the
 * transaction), with FATAL {@code 28000} and a message that says to sign in again. The expiry is
 * the token's {@code exp} claim, which the identity's claims carry.
 *
 * @param enabled whether sessions end at token expiry
 * @param grace added to the expiry
 */
record SessionExpiry(boolean enabled, Duration grace) {

    static final String SECTION = OidcAuthSettings.SESSION_EXPIRY_SECTION;
    static final Duration MAX_GRACE = Duration.ofHours(24);
    static final SessionExpiry DISABLED = new SessionExpiry(false, Duration.ZERO);
    static final String NO_EXPIRY = "pgwarden cannot end this session when its token expires: the token has no exp claim";

    private static final Set<String> KEYS = Set.of("enabled", "grace");

    /** Checks for null. */
    SessionExpiry {
        Objects.requireNonNull(grace, "grace");
    }

    /**
     * Reads {@code session_expiry}.
     *
     * @param pluginSection the plugin's section ({@code plugins[i]})
     * @return the settings; disabled when the section is absent
     * @throws PluginConfigException naming the YAML path of a bad value or unknown key
     */
    static SessionExpiry fromConfig(PluginConfig pluginSection) {
        if (!pluginSection.has(SECTION)) {
            return DISABLED;
        }
        PluginConfig section = pluginSection.section(SECTION);
        for (String key : section.values().keySet()) {
            if (!KEYS.contains(key)) {
                throw new PluginConfigException(section.pathOf(key), "unknown setting; session_expiry has enabled and grace");
            }
        }
        Duration grace = section.duration("grace", Duration.ZERO);
        if (grace.compareTo(MAX_GRACE) > 0) {
            throw new PluginConfigException(section.pathOf("grace"), "must be at most 24h");
        }
        return new SessionExpiry(section.bool("enabled", false), grace);
    }

    /**
     * Sets the session's deadline, for an identity of method oidc or oauth, when enabled.
     *
     * @param context the authenticated session
     * @return proceed; a refusal when enabled and the identity has no readable {@code exp}
     */
    Decision apply(AuthContext context) {
        Identity identity = context.authenticatedIdentity();
        if (!enabled || !TokenLogin.isTokenMethod(identity.method())) {
            return Decision.proceed();
        }
        Object exp = identity.claims().get("exp");
        if (!(exp instanceof Number seconds)) {
            // The validator requires exp; without it the promise of session_expiry cannot be kept, so no session.
            return Decision.reject("28000", NO_EXPIRY, null);
        }
        Instant expiresAt = Instant.ofEpochSecond(seconds.longValue());
        context.expireAt(expiresAt.plus(grace), message(identity.displayName(), expiresAt));
        return Decision.proceed();
    }

    /**
     * The message the client gets when its session ends.
     *
     * @param display the person's display name
     * @param expiresAt the token's expiry
     * @return the text
     */
    static String message(String display, Instant expiresAt) {
        return "the sign-in of " + display + " expired at " + expiresAt.truncatedTo(ChronoUnit.SECONDS)
                + "; sign in again with a new token";
    }
}
