package io.pgwarden.plugin.oidc;

import io.pgwarden.spi.AuthExchange;
import io.pgwarden.spi.PluginConfig;
import io.pgwarden.spi.PluginConfigException;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * The plugin's top-level settings: {@code max_token_size}, {@code startup_user} and the default
 * {@code strategy}, and the unknown-key check for the whole section. The sections {@code issuers},
 * {@code authorization}, {@code client_cert}, {@code service_accounts}, {@code set_role} and
 * {@code session_expiry} and the keys
 * {@code application_name} and {@code identity_settings} belong to the classes that use them, which
 * parse them; this class only knows which strategies have a section.
 *
 * @param path the YAML path of the plugin's section, for messages
 * @param maxTokenSize the longest password, in bytes, that is read as a token
 * @param startupUser what the startup packet's user must be
 * @param defaultStrategy the strategy of rules without a {@code strategy} option
 * @param configuredStrategies the strategies that have their section
 */
record OidcAuthSettings(String path, int maxTokenSize, StartupUser startupUser, String defaultStrategy,
                        Set<String> configuredStrategies) {

    static final String CLIENT_CERT = "client-cert";
    static final String SERVICE_ACCOUNT = "service-account";
    static final String SET_ROLE = "set-role";
    static final String SET_ROLE_SECTION = "set_role";
    static final String SESSION_EXPIRY_SECTION = "session_expiry";
    static final String CLIENT_CERT_SECTION = "client_cert";
    static final String SERVICE_ACCOUNTS_SECTION = "service_accounts";
    static final String ISSUERS = "issuers";
    static final String PROVISIONING_SECTION = "provisioning";
    static final String LIMITS_SECTION = "limits";
    static final int DEFAULT_MAX_TOKEN_SIZE = 16_384;
    static final int MIN_MAX_TOKEN_SIZE = 256;
    /** The longest password the core reads before authentication (65535 bytes with the length word and the zero). */
    static final int MAX_MAX_TOKEN_SIZE = AuthExchange.MAX_AUTH_MESSAGE_LENGTH - 5;

    private static final Set<String> KEYS = Set.of("max_token_size", ISSUERS, "startup_user", "authorization", "strategy",
            CLIENT_CERT_SECTION, SERVICE_ACCOUNTS_SECTION, SET_ROLE_SECTION, "application_name", "identity_settings",
            SESSION_EXPIRY_SECTION, PROVISIONING_SECTION, LIMITS_SECTION);

    /** Whether the startup packet's user must be the person's role. */
    enum StartupUser {
        /** The startup user must equal the mapped role, exactly. */
        MATCH,
        /** Any startup user is accepted and replaced by the role. */
        IGNORE
    }

    /** Checks for null and copies the set. */
    OidcAuthSettings {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(startupUser, "startupUser");
        Objects.requireNonNull(defaultStrategy, "defaultStrategy");
        configuredStrategies = Set.copyOf(configuredStrategies);
    }

    /**
     * Reads the settings.
     *
     * @param config the plugin's section
     * @return the settings
     * @throws PluginConfigException naming the YAML path of the first problem
     */
    static OidcAuthSettings parse(PluginConfig config) {
        for (String key : config.values().keySet()) {
            if (!KEYS.contains(key)) {
                throw new PluginConfigException(config.pathOf(key), "unknown setting; the oidc plugin knows max_token_size, issuers, "
                        + "startup_user, authorization, strategy, client_cert, service_accounts, set_role, application_name, "
                        + "identity_settings, session_expiry, provisioning and limits");
            }
        }
        int maxTokenSize = maxTokenSize(config);
        StartupUser startupUser = startupUser(config);
        // Type checks only: IdentityPropagation reads these two.
        config.string("application_name");
        config.bool("identity_settings", true);

        Set<String> configured = new LinkedHashSet<>();
        if (config.has(CLIENT_CERT_SECTION)) {
            configured.add(CLIENT_CERT);
        }
        // In order of preference for the default: the person as session_user, as current_user, a shared account.
        if (config.has(SET_ROLE_SECTION)) {
            configured.add(SET_ROLE);
        }
        if (config.has(SERVICE_ACCOUNTS_SECTION)) {
            configured.add(SERVICE_ACCOUNT);
        }
        if (configured.isEmpty()) {
            throw new PluginConfigException(config.path(), "needs client_cert, service_accounts or set_role: how pgwarden logs in "
                    + "to the backend for a person");
        }
        String strategy = config.string("strategy")
                .map(value -> strategyName(value, config.pathOf("strategy")))
                // Without a choice, the only one configured, or the most recommended of those configured.
                .orElse(configured.iterator().next());
        if (!configured.contains(strategy)) {
            throw new PluginConfigException(config.pathOf("strategy"), strategy + " needs a " + sectionOf(strategy) + " section");
        }
        return new OidcAuthSettings(config.path(), maxTokenSize, startupUser, strategy, configured);
    }

    /**
     * Reads {@code max_token_size}; {@link TokenValidator} reads it too.
     *
     * @param config the plugin's section
     * @return the size in bytes, {@value #DEFAULT_MAX_TOKEN_SIZE} when absent
     * @throws PluginConfigException when it is not {@value #MIN_MAX_TOKEN_SIZE} to {@link #MAX_MAX_TOKEN_SIZE}
     */
    static int maxTokenSize(PluginConfig config) {
        int maxTokenSize = config.integer("max_token_size", DEFAULT_MAX_TOKEN_SIZE);
        if (maxTokenSize < MIN_MAX_TOKEN_SIZE || maxTokenSize > MAX_MAX_TOKEN_SIZE) {
            throw new PluginConfigException(config.pathOf("max_token_size"), "must be " + MIN_MAX_TOKEN_SIZE + " to "
                    + MAX_MAX_TOKEN_SIZE + " bytes, found " + maxTokenSize);
        }
        return maxTokenSize;
    }

    /**
     * Reads a strategy name.
     *
     * @param value the text
     * @param path the YAML path, for the message
     * @return {@link #CLIENT_CERT}, {@link #SERVICE_ACCOUNT} or {@link #SET_ROLE}
     * @throws PluginConfigException when it is none of them
     */
    static String strategyName(String value, String path) {
        String name = value.trim().toLowerCase(Locale.ROOT);
        if (!name.equals(CLIENT_CERT) && !name.equals(SERVICE_ACCOUNT) && !name.equals(SET_ROLE)) {
            throw new PluginConfigException(path, "expected client-cert, service-account or set-role, found '" + value + "'");
        }
        return name;
    }

    /**
     * The YAML section a strategy needs.
     *
     * @param strategy {@link #CLIENT_CERT}, {@link #SERVICE_ACCOUNT} or {@link #SET_ROLE}
     * @return the section's key
     */
    static String sectionOf(String strategy) {
        return switch (strategy) {
            case CLIENT_CERT -> CLIENT_CERT_SECTION;
            case SET_ROLE -> SET_ROLE_SECTION;
            default -> SERVICE_ACCOUNTS_SECTION;
        };
    }

    private static StartupUser startupUser(PluginConfig config) {
        String value = config.string("startup_user", "match");
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "match" -> StartupUser.MATCH;
            case "ignore" -> StartupUser.IGNORE;
            default -> throw new PluginConfigException(config.pathOf("startup_user"), "expected match or ignore, found '" + value + "'");
        };
    }
}
