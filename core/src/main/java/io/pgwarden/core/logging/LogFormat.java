package io.pgwarden.core.logging;

import java.util.Locale;
import java.util.Optional;

/** How pgwarden writes a log line: plain text for people (the default), or one JSON object for log collectors. */
public enum LogFormat {

    /** {@code 2026-01-31T12:00:00.000+01:00 INFO  [thread] Logger [session] message}. */
    TEXT,

    /** One JSON object per line; see {@link JsonLine}. */
    JSON;

    /**
     * The format with this name ({@code text} or {@code json}, any case, surrounding blanks ignored).
     *
     * @param name the name
     * @return the format, or empty for any other name
     */
    public static Optional<LogFormat> named(String name) {
        if (name == null) {
            return Optional.empty();
        }
        return switch (name.trim().toLowerCase(Locale.ROOT)) {
            case "text" -> Optional.of(TEXT);
            case "json" -> Optional.of(JSON);
            default -> Optional.empty();
        };
    }

    /**
     * The name used on the command line and in {@code PGWARDEN_LOG_FORMAT}.
     *
     * @return {@code text} or {@code json}
     */
    public String optionName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
