package io.pgwarden.plugin.oidc;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Who a verified token says the person is, after the issuer's claim mapping.
 *
 * @param role the database role name (from the role claim or template); a valid PostgreSQL identifier text
 * @param subject the stable subject ({@code sub} or {@code oid})
 * @param displayName an e-mail or name for logs and audit
 * @param groups groups or roles from the group claim; empty when none
 * @param issuer the issuer
 * @param expiresAt when the token expires
 * @param claims the token's claims (never the token itself)
 */
record PersonIdentity(String role, String subject, String displayName, Set<String> groups, String issuer,
                      Instant expiresAt, Map<String, Object> claims) {

    /** Checks for null and copies the collections. */
    PersonIdentity {
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(issuer, "issuer");
        Objects.requireNonNull(expiresAt, "expiresAt");
        displayName = displayName == null ? role : displayName;
        groups = Set.copyOf(groups);
        claims = Map.copyOf(claims);
    }
}
