package io.pgwarden.plugin.scram;

import io.pgwarden.spi.PluginConfigException;
import java.util.Locale;
import java.util.Map;

/**
 * The auth rule options of the plugin's methods: {@code channel_binding} for
 * {@code scram-sha-256} and {@code md5}, {@code allow_without_tls} for {@code password}.
 */
final class RuleOptions {

    static final String CHANNEL_BINDING = "channel_binding";
    static final String ALLOW_WITHOUT_TLS = "allow_without_tls";

    /** Whether SCRAM-SHA-256-PLUS is offered and whether it must be used. */
    enum ChannelBinding {
        /** PLUS offered to TLS clients, plain SCRAM accepted. */
        PREFER,
        /** Only PLUS offered; clients without TLS are refused. */
        REQUIRE,
        /** PLUS never offered. */
        DISABLE
    }

    private RuleOptions() {
    }

    /**
     * Checks the options of a rule naming a SCRAM method.
     *
     * @param method the method, for the message
     * @param options the rule's options
     * @throws PluginConfigException naming the bad option's key
     */
    static void checkScram(String method, Map<String, String> options) {
        for (String key : options.keySet()) {
            if (!key.equals(CHANNEL_BINDING)) {
                throw unknown(key, method, CHANNEL_BINDING);
            }
        }
        channelBinding(options);
    }

    /**
     * Checks the options of a rule naming the {@code password} method.
     *
     * @param method the method, for the message
     * @param options the rule's options
     * @throws PluginConfigException naming the bad option's key
     */
    static void checkPassword(String method, Map<String, String> options) {
        for (String key : options.keySet()) {
            if (!key.equals(ALLOW_WITHOUT_TLS)) {
                throw unknown(key, method, ALLOW_WITHOUT_TLS);
            }
        }
        allowWithoutTls(options);
    }

    /**
     * Reads {@code channel_binding}.
     *
     * @param options the rule's options
     * @return the mode, {@link ChannelBinding#PREFER} when absent
     * @throws PluginConfigException when the value is not prefer, require or disable
     */
    static ChannelBinding channelBinding(Map<String, String> options) {
        String value = options.get(CHANNEL_BINDING);
        if (value == null) {
            return ChannelBinding.PREFER;
        }
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "prefer" -> ChannelBinding.PREFER;
            case "require" -> ChannelBinding.REQUIRE;
            case "disable" -> ChannelBinding.DISABLE;
            default -> throw new PluginConfigException(CHANNEL_BINDING, "expected prefer, require or disable, found '" + value + "'");
        };
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

    private static PluginConfigException unknown(String key, String method, String known) {
        return new PluginConfigException(key, "unknown option for method " + method + "; known: " + known);
    }
}
