package io.pgwarden.spi;

import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Who an authenticated client is.
 *
 * @param subject a stable id from the authority (a token's {@code sub} or {@code oid}, or the user name)
 * @param databaseRole the database role this person or application maps to
 * @param displayName a name or e-mail for logs and audit; may equal {@code databaseRole}
 * @param groups groups or roles from the authority; empty when it has none
 * @param method the authentication method that accepted the client, e.g. {@code trust}
 * @param claims further facts from the authority (token claims); never secrets
 */
public record Identity(String subject, String databaseRole, String displayName, Set<String> groups,
                       String method, Map<String, Object> claims) {

    /** Checks for null and copies the collections. */
    public Identity {
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(databaseRole, "databaseRole");
        Objects.requireNonNull(method, "method");
        displayName = displayName == null ? databaseRole : displayName;
        groups = Set.copyOf(groups);
        claims = Map.copyOf(claims);
    }

    /**
     * An identity that is just a user name, as trust and password methods produce.
     *
     * @param user the user name, used as subject, role and display name
     * @param method the method
     * @return the identity
     */
    public static Identity ofUser(String user, String method) {
        return new Identity(user, user, user, Set.of(), method, Map.of());
    }
}
