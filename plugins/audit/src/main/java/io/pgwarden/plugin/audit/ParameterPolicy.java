package io.pgwarden.plugin.audit;

import io.pgwarden.spi.ExecuteContext;
import io.pgwarden.spi.PluginConfig;
import io.pgwarden.spi.PluginConfigException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.stream.IntStream;

/**
 * What a statement event says about the parameters of an Execute: by default only how many there are and which
 * are NULL ({@code "?"} for a value, {@code null} for NULL); with {@code parameters: values}, the values, each cut
 * to {@code max_parameter_length} characters with a marker. Applied in the hook, so that a queued event holds no
 * more than it will write.
 *
 * @param mode redacted or values
 * @param maxLength the most characters of a value written in values mode
 */
record ParameterPolicy(Mode mode, int maxLength) {

    /** The default of {@code max_parameter_length}. */
    static final int DEFAULT_MAX_LENGTH = 256;
    /** The largest {@code max_parameter_length}. */
    static final int MAX_MAX_LENGTH = 65_536;
    /** Written for every non-NULL value in redacted mode. */
    static final String REDACTED = "?";
    /** The redacted lists without NULLs of up to 31 parameters, by count. */
    private static final List<List<String>> ALL_REDACTED = IntStream.range(0, 32)
            .mapToObj(count -> Collections.nCopies(count, REDACTED)).toList();

    /** How parameters are written. */
    enum Mode {
        /** {@code "?"} per value, {@code null} per NULL. */
        REDACTED,
        /** The values, truncated. */
        VALUES
    }

    /**
     * Reads {@code parameters} and {@code max_parameter_length} from a plugin entry.
     *
     * @param config the audit entry
     * @return the policy
     * @throws PluginConfigException naming the setting's path when a value is not allowed
     */
    static ParameterPolicy from(PluginConfig config) {
        String name = config.string("parameters", "redacted");
        Mode mode = switch (name.toLowerCase(Locale.ROOT)) {
            case "redacted" -> Mode.REDACTED;
            case "values" -> Mode.VALUES;
            default -> throw new PluginConfigException(config.pathOf("parameters"),
                    "must be redacted or values, found \"" + name + "\"");
        };
        int maxLength = config.integer("max_parameter_length", DEFAULT_MAX_LENGTH);
        if (maxLength < 1 || maxLength > MAX_MAX_LENGTH) {
            throw new PluginConfigException(config.pathOf("max_parameter_length"),
                    "must be between 1 and " + MAX_MAX_LENGTH + ", found " + maxLength);
        }
        return new ParameterPolicy(mode, maxLength);
    }

    /**
     * An Execute's parameters as the event writes them. Redacted, they are read only for which are NULL
     * ({@link ExecuteContext#parameterIsNull}), never decoded; a list without NULLs is shared.
     *
     * @param execute the Execute
     * @return the list to write, unmodifiable
     */
    List<String> apply(ExecuteContext execute) {
        if (mode == Mode.VALUES) {
            return values(execute.parameters());
        }
        int count = execute.parameterCount();
        List<String> out = null;
        for (int i = 0; i < count; i++) {
            if (execute.parameterIsNull(i)) {
                if (out == null) {
                    out = new ArrayList<>(Collections.nCopies(count, REDACTED));
                }
                out.set(i, null);
            }
        }
        if (out != null) {
            return Collections.unmodifiableList(out);
        }
        return count < ALL_REDACTED.size() ? ALL_REDACTED.get(count) : Collections.nCopies(count, REDACTED);
    }

    /** The values, each cut to {@link #maxLength}; NULLs stay null. */
    private List<String> values(List<String> values) {
        List<String> out = new ArrayList<>(values.size());
        for (String value : values) {
            out.add(value == null ? null : truncated(value));
        }
        return Collections.unmodifiableList(out);
    }

    private String truncated(String value) {
        if (value.length() <= maxLength) {
            return value;
        }
        int end = Character.isHighSurrogate(value.charAt(maxLength - 1)) ? maxLength - 1 : maxLength;
        return value.substring(0, end) + "…(" + value.length() + " chars)";
    }
}
