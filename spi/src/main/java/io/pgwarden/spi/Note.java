package io.pgwarden.spi;

import java.util.Objects;

/**
 * A decision a plugin reported about a statement, such as where it was routed or which columns
 * were masked, for audit plugins to record. See {@link QueryContext#note} and
 * {@link CompletionContext#notes()}.
 *
 * @param plugin the reporting plugin's name, as in {@link RefusalContext#refusedBy()}; {@code pgwarden}
 *               for the proxy's own notes
 * @param key what was decided, e.g. {@code route} or {@code masked}
 * @param value the decision, e.g. a backend name or a column list
 * @since 1.4
 */
public record Note(String plugin, String key, String value) {

    /** Checks for null. */
    public Note {
        Objects.requireNonNull(plugin, "plugin");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
    }
}
