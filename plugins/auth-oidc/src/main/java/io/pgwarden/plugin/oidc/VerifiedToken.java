package io.pgwarden.plugin.oidc;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * An access token whose signature, issuer, audience, lifetime and scopes were checked.
 *
 * @param issuer the configured issuer that accepted it (its {@code iss}, exactly)
 * @param claims every claim of the token, as Nimbus parsed them (strings, numbers, booleans, lists, maps)
 * @param expiresAt the {@code exp} claim
 */
record VerifiedToken(String issuer, Map<String, Object> claims, Instant expiresAt) {

    /** Checks for null and copies the claims. */
    VerifiedToken {
        Objects.requireNonNull(issuer, "issuer");
        Objects.requireNonNull(expiresAt, "expiresAt");
        claims = Map.copyOf(claims);
    }

    @Override
    public String toString() {
        return "VerifiedToken[issuer=" + issuer + ", expiresAt=" + expiresAt + "]";
    }
}
