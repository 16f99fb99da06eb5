package io.pgwarden.plugin.oidc;

import io.pgwarden.spi.PluginConfigException;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The auth rule options of method {@code oauth}: {@code issuer} and {@code scope}, which the
 * discovery answer names, and the options it shares with method {@code oidc} ({@code strategy},
 * {@code provision}), which {@link RuleOptions} checks. There is no {@code allow_without_tls}:
 * the method always requires SSL.
 */
final class OAuthRuleOptions {

    static final String ISSUER = "issuer";
    static final String SCOPE = "scope";
    static final String OPENID = "openid";

    private static final Set<String> SHARED = Set.of(RuleOptions.STRATEGY, "provision");
    private static final Set<String> OWN = Set.of(ISSUER, SCOPE);

    /** Each configured issuer with its {@code required_scopes}, in configuration order. */
    private final Map<String, List<String>> issuers;

    /**
     * Creates the options' reader.
     *
     * @param issuers each configured issuer with its {@code required_scopes}, in configuration order; not empty
     */
    OAuthRuleOptions(Map<String, List<String>> issuers) {
        if (issuers.isEmpty()) {
            throw new IllegalArgumentException("no issuers");
        }
        Map<String, List<String>> copy = new LinkedHashMap<>();
        issuers.forEach((issuer, scopes) -> copy.put(issuer, List.copyOf(scopes)));
        this.issuers = copy;
    }

    /**
     * Checks the options of a rule naming method {@code oauth}.
     *
     * @param options the rule's options
     * @param settings the plugin's settings, for the shared options
     * @throws PluginConfigException naming the bad option's key
     */
    void check(Map<String, String> options, OidcAuthSettings settings) {
        for (String key : options.keySet()) {
            if (key.equals(RuleOptions.ALLOW_WITHOUT_TLS)) {
                throw new PluginConfigException(key, "is not an option of method " + OAuthBearerAuthenticator.METHOD
                        + ": it always requires SSL (libpq sends a bearer token over SSL only)");
            }
            if (!SHARED.contains(key) && !OWN.contains(key)) {
                throw new PluginConfigException(key, "unknown option for method " + OAuthBearerAuthenticator.METHOD
                        + "; known: issuer, scope, strategy, provision");
            }
        }
        Map<String, String> shared = new HashMap<>(options);
        shared.keySet().removeAll(OWN);
        RuleOptions.check(shared, settings);
        discovery(options);
    }

    /**
     * What the rule's discovery answer names.
     *
     * @param options the rule's options
     * @return the issuer and the scope
     * @throws PluginConfigException when {@code issuer} or {@code scope} is invalid, or {@code issuer}
     *     is missing while several issuers are configured
     */
    OAuthDiscovery discovery(Map<String, String> options) {
        String issuer = options.get(ISSUER);
        if (issuer == null) {
            if (issuers.size() > 1) {
                throw new PluginConfigException(ISSUER, "is required when the oidc plugin has more than one issuer; one of: "
                        + String.join(", ", issuers.keySet()));
            }
            issuer = issuers.keySet().iterator().next();
        } else if (!issuers.containsKey(issuer.trim())) {
            throw new PluginConfigException(ISSUER, "'" + issuer + "' is not a configured issuer; configured: "
                    + String.join(", ", issuers.keySet()));
        } else {
            issuer = issuer.trim();
        }
        String scope = options.get(SCOPE);
        return new OAuthDiscovery(issuer, scope == null ? defaultScope(issuers.get(issuer)) : checkScope(scope));
    }

    /** {@code openid} and the issuer's {@code required_scopes}: what a token needs to be accepted. */
    private static String defaultScope(List<String> requiredScopes) {
        Set<String> scopes = new LinkedHashSet<>();
        scopes.add(OPENID);
        scopes.addAll(requiredScopes);
        return String.join(" ", scopes);
    }

    /** A scope list of RFC 6749 section 3.3: scope tokens of %x21 / %x23-5B / %x5D-7E, one space apart. */
    private static String checkScope(String value) {
        Objects.requireNonNull(value, "value");
        String scope = value.trim();
        if (scope.isEmpty()) {
            throw new PluginConfigException(SCOPE, "is empty; leave it out for openid and the issuer's required_scopes");
        }
        for (String token : scope.split(" ", -1)) {
            if (token.isEmpty()) {
                throw new PluginConfigException(SCOPE, "separate scopes with single spaces, found '" + value + "'");
            }
            for (int i = 0; i < token.length(); i++) {
                char c = token.charAt(i);
                if (c < 0x21 || c > 0x7E || c == '"' || c == '\\') {
                    throw new PluginConfigException(SCOPE, "a scope is made of visible ASCII characters other than \" and \\, found '"
                            + value + "'");
                }
            }
        }
        return scope;
    }
}
