package io.pgwarden.plugin.oidc;

import io.pgwarden.spi.PluginConfig;
import io.pgwarden.spi.PluginConfigException;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

/** Reads durations from the plugin's YAML: {@code 250ms}, {@code 5s}, {@code 2m}, {@code 1h}, or a plain number of seconds. */
final class Durations {

    private Durations() {
    }

    /**
     * Reads a duration.
     *
     * @param config the section
     * @param key the key
     * @param defaultValue the value when the key is absent
     * @return the duration, zero or more
     * @throws PluginConfigException naming the key's path when the value is not a duration
     */
    static Duration parse(PluginConfig config, String key, Duration defaultValue) {
        Optional<String> text = config.string(key);
        if (text.isEmpty()) {
            return defaultValue;
        }
        String value = text.get().trim().toLowerCase(Locale.ROOT);
        try {
            if (value.endsWith("ms")) {
                return nonNegative(Duration.ofMillis(Long.parseLong(value.substring(0, value.length() - 2).trim())));
            }
            if (value.length() < 2) {
                return nonNegative(Duration.ofSeconds(Long.parseLong(value)));
            }
            long amount;
            char unit = value.charAt(value.length() - 1);
            if (Character.isDigit(unit)) {
                return nonNegative(Duration.ofSeconds(Long.parseLong(value)));
            }
            amount = Long.parseLong(value.substring(0, value.length() - 1).trim());
            return switch (unit) {
                case 's' -> nonNegative(Duration.ofSeconds(amount));
                case 'm' -> nonNegative(Duration.ofMinutes(amount));
                case 'h' -> nonNegative(Duration.ofHours(amount));
                default -> throw new NumberFormatException();
            };
        } catch (NumberFormatException | ArithmeticException e) {
            throw new PluginConfigException(config.pathOf(key), "expected a duration such as 250ms, 5s, 2m or 1h, found '"
                    + text.get() + "'");
        }
    }

    private static Duration nonNegative(Duration duration) {
        if (duration.isNegative()) {
            throw new NumberFormatException();
        }
        return duration;
    }
}
