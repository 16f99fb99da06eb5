package io.pgwarden.plugin.oidc;

import io.pgwarden.spi.PluginConfigException;
import java.util.Locale;
import java.util.Map;

/** The auth rule options of method {@code oidc}: {@code strategy} and {@code allow_without_tls}. */
final class RuleOptions {

    static final String STRATEGY = "strategy";
    static final String ALLOW_WITHOUT_TLS = "allow_without_tls";

    private RuleOptions() {
    }

    /**
     * Checks the options of a rule naming method {@code oidc}.
     *
     * @param options the rule's options
     * @param settings the plugin's settings: which strategies are configured
     * @throws PluginConfigException naming the bad option's key
     */
    static void check(Map<String, String> options, OidcAuthSettings settings) {
        for (String key : options.keySet()) {
            if (!key.equals(STRATEGY) && !key.equals(ALLOW_WITHOUT_TLS)) {
                throw new PluginConfigException(key, "unknown option for method " + OidcAuthenticator.METHOD + "; known: "
                        + STRATEGY + ", " + ALLOW_WITHOUT_TLS);
            }
        }
        String strategy = strategy(options, settings);
        if (!settings.configuredStrategies().contains(strategy)) {
            throw new PluginConfigException(STRATEGY, strategy + " is not configured: " + settings.path() + " has no "
                    + OidcAuthSettings.sectionOf(strategy) + " section");
        }
        allowWithoutTls(options);
    }

    /**
     * Reads {@code strategy}.
     *
     * @param options the rule's options
     * @param settings the plugin's settings, for the default
     * @return the strategy name, the plugin's default when absent
     * @throws PluginConfigException when the value is not client-cert, service-account or set-role
     */
    static String strategy(Map<String, String> options, OidcAuthSettings settings) {
        String value = options.get(STRATEGY);
        return value == null ? settings.defaultStrategy() : OidcAuthSettings.strategyName(value, STRATEGY);
    }

    /**
     * Reads {@code allow_without_tls}.
     *
     * @param options the rule's options
     * @return the value, false when absent
     * @throws PluginConfigException when the value is not true or false
     */
    static boolean allowWithoutTls(Map<String, String> options) {
        String value = options.get(ALLOW_WITHOUT_TLS);
        if (value == null) {
            return false;
        }
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new PluginConfigException(ALLOW_WITHOUT_TLS, "expected true or false, found '" + value + "'");
        };
    }
}
