package io.pgwarden.plugin.oidc;

import io.pgwarden.spi.PluginConfigException;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Where a value sits in a token's claims: a claim name, or a dotted path into nested objects
 * ({@code realm_access.roles}). A claim whose own name holds dots (Auth0's namespaced
 * {@code https://example.com/roles}) is found by that name.
 */
final class ClaimPath {

    private final String text;
    private final List<String> segments;

    private ClaimPath(String text, List<String> segments) {
        this.text = text;
        this.segments = segments;
    }

    /**
     * Parses a path.
     *
     * @param text the name or dotted path
     * @param yamlPath where it was configured, for the error
     * @return the path
     * @throws PluginConfigException when the text is empty or has an empty segment
     */
    static ClaimPath parse(String text, String yamlPath) {
        Objects.requireNonNull(text, "text");
        String trimmed = text.trim();
        if (trimmed.isEmpty()) {
            throw new PluginConfigException(yamlPath, "is empty; expected a claim name or a dotted path such as realm_access.roles");
        }
        List<String> segments = List.of(trimmed.split("\\.", -1));
        if (segments.stream().anyMatch(String::isEmpty)) {
            throw new PluginConfigException(yamlPath, "has an empty part in '" + trimmed
                    + "'; expected a claim name or a dotted path such as realm_access.roles");
        }
        return new ClaimPath(trimmed, segments);
    }

    /**
     * The value at this path.
     *
     * @param claims the token's claims
     * @return the value, or null when the token has none there
     */
    Object resolve(Map<String, Object> claims) {
        return resolve(claims, 0);
    }

    /**
     * The value below {@code node} for the segments from {@code from}: at each level the longest run
     * of segments that is a key wins, so a key with dots in its name (a Keycloak client id such as
     * {@code resource_access.app.example.com.roles}) is found too.
     */
    private Object resolve(Object node, int from) {
        if (from == segments.size()) {
            return node;
        }
        if (!(node instanceof Map<?, ?> map)) {
            return null;
        }
        for (int end = segments.size(); end > from; end--) {
            String key = String.join(".", segments.subList(from, end));
            if (map.containsKey(key)) {
                Object value = resolve(map.get(key), end);
                if (value != null) {
                    return value;
                }
            }
        }
        return null;
    }

    /**
     * A single value as text: strings as they are, numbers and booleans written out.
     *
     * @param value a claim's value
     * @return the text, or null when the value is absent, a list or an object
     */
    static String scalarText(Object value) {
        if (value instanceof String text) {
            return text;
        }
        if (value instanceof Number || value instanceof Boolean) {
            return value.toString();
        }
        return null;
    }

    @Override
    public String toString() {
        return text;
    }
}
