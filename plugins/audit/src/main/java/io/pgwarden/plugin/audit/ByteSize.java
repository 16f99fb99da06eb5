package io.pgwarden.plugin.audit;

import io.pgwarden.spi.PluginConfig;
import io.pgwarden.spi.PluginConfigException;
import java.util.Locale;
import java.util.Optional;

/** Sizes in the configuration: a number of bytes, or a number with {@code KiB}, {@code MiB} or {@code GiB}. */
final class ByteSize {

    private ByteSize() {
    }

    /**
     * Reads a size.
     *
     * @param config the section
     * @param key the key
     * @param defaultValue used when absent
     * @return the size in bytes
     * @throws PluginConfigException naming the key's path when the value is not a size
     */
    static long parse(PluginConfig config, String key, long defaultValue) {
        Optional<String> text = config.string(key);
        if (text.isEmpty()) {
            return defaultValue;
        }
        String value = text.get().trim().toLowerCase(Locale.ROOT);
        long unit = 1;
        if (value.endsWith("kib")) {
            unit = 1L << 10;
        } else if (value.endsWith("mib")) {
            unit = 1L << 20;
        } else if (value.endsWith("gib")) {
            unit = 1L << 30;
        }
        String number = unit == 1 ? value : value.substring(0, value.length() - 3).trim();
        try {
            long amount = Long.parseLong(number);
            if (amount < 0) {
                throw new NumberFormatException();
            }
            return Math.multiplyExact(amount, unit);
        } catch (NumberFormatException | ArithmeticException e) {
            throw new PluginConfigException(config.pathOf(key),
                    "expected a size such as 100MiB, 512KiB or 1GiB, found '" + text.get() + "'");
        }
    }
}
