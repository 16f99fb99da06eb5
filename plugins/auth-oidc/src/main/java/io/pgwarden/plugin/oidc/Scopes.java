package io.pgwarden.plugin.oidc;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The scopes a token grants: {@code scope} (OAuth 2.0, space separated, Keycloak and Auth0) and
 * {@code scp} (Entra: space separated; Okta: a list). Values of another type grant nothing.
 */
final class Scopes {

    private Scopes() {
    }

    /**
     * Reads the granted scopes.
     *
     * @param claims the verified claims
     * @return the scopes, empty when none
     */
    static Set<String> granted(Map<String, Object> claims) {
        Set<String> scopes = new HashSet<>();
        add(scopes, claims.get("scope"));
        add(scopes, claims.get("scp"));
        return scopes;
    }

    private static void add(Set<String> scopes, Object value) {
        if (value instanceof String text) {
            for (String scope : text.trim().split("\\s+")) {
                if (!scope.isEmpty()) {
                    scopes.add(scope);
                }
            }
        } else if (value instanceof List<?> list) {
            for (Object item : list) {
                if (item instanceof String scope && !scope.isBlank()) {
                    scopes.add(scope.trim());
                }
            }
        }
    }
}
