package io.pgwarden.plugin.oidc;

import io.pgwarden.spi.PluginConfigException;
import java.util.Locale;
import java.util.Map;

/**
 * The auth rule options of method {@code oidc}: {@code strategy}, {@code allow_without_tls} and {@code provision};
 * {@code strategy} and {@code provision} are shared with method {@code oauth} ({@link #checkShared}).
 */
final class RuleOptions {

    static final String STRATEGY = "strategy";
    static final String ALLOW_WITHOUT_TLS = "allow_without_tls";
    static final String PROVISION = "provision";

    private RuleOptions() {
    }

    /**
     * Checks the options of a rule naming method {@code oidc}.
     *
     * @param options the rule's options
     * @param settings the plugin's settings: which strategies are configured
     * @param provisioning whether the plugin has a {@code provisioning} section
     * @throws PluginConfigException naming the bad option's key
     */
    static void check(Map<String, String> options, OidcAuthSettings settings, boolean provisioning) {
        for (String key : options.keySet()) {
            if (!key.equals(STRATEGY) && !key.equals(ALLOW_WITHOUT_TLS) && !key.equals(PROVISION)) {
                throw new PluginConfigException(key, "unknown option for method " + OidcAuthenticator.METHOD + "; known: "
                        + STRATEGY + ", " + ALLOW_WITHOUT_TLS + ", " + PROVISION);
            }
        }
        checkShared(options, settings, provisioning);
        allowWithoutTls(options);
    }

    /**
     * Checks the options methods {@code oidc} and {@code oauth} share: {@code strategy} must be configured, and
     * {@code provision: true} needs a {@code provisioning} section and a strategy that logs in as the person's own
     * role (client-cert or set-role). Unknown keys are the caller's to refuse.
     *
     * @param options the rule's options
     * @param settings the plugin's settings: which strategies are configured
     * @param provisioning whether the plugin has a {@code provisioning} section
     * @throws PluginConfigException naming the bad option's key
     */
    static void checkShared(Map<String, String> options, OidcAuthSettings settings, boolean provisioning) {
        String strategy = strategy(options, settings);
        if (!settings.configuredStrategies().contains(strategy)) {
            throw new PluginConfigException(STRATEGY, strategy + " is not configured: " + settings.path() + " has no "
                    + OidcAuthSettings.sectionOf(strategy) + " section");
        }
        if (provision(options)) {
            if (!provisioning) {
                throw new PluginConfigException(PROVISION, "needs a " + ProvisioningSettings.SECTION + " section in "
                        + settings.path());
            }
            if (strategy.equals(OidcAuthSettings.SERVICE_ACCOUNT)) {
                throw new PluginConfigException(PROVISION, "does not apply to strategy " + OidcAuthSettings.SERVICE_ACCOUNT
                        + ": people log in as a shared account, so they have no role of their own; use client-cert or set-role");
            }
        }
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
        return bool(options, ALLOW_WITHOUT_TLS);
    }

    /**
     * Reads {@code provision}: whether logins of the rule provision the person's role.
     *
     * @param options the rule's options
     * @return the value, false when absent
     * @throws PluginConfigException when the value is not true or false
     */
    static boolean provision(Map<String, String> options) {
        return bool(options, PROVISION);
    }

    private static boolean bool(Map<String, String> options, String key) {
        String value = options.get(key);
        if (value == null) {
            return false;
        }
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new PluginConfigException(key, "expected true or false, found '" + value + "'");
        };
    }
}
