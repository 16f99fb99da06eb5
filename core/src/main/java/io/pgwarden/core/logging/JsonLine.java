package io.pgwarden.core.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import org.slf4j.event.KeyValuePair;

/**
 * One log event as one JSON object on one line: {@code timestamp} (ISO-8601, UTC, milliseconds), {@code level},
 * {@code logger}, {@code thread}, {@code session} when the line belongs to a client session, {@code message}, and
 * {@code exception} (the stack trace) when there is one.
 *
 * <p>Only these fields are written, by construction: the MDC, the message's arguments and any other key-value
 * pairs are never dumped, since they could hold a value that the message itself leaves out. The session id comes
 * from the key-value pair {@code session}, or from the {@code "[id] "} prefix that session lines carry in text
 * (the core's and the plugins', whose {@link System.Logger} has no fields); the prefix is then taken off the
 * message. Every string is escaped, so a value that a client chose (a user name, a statement) cannot end the line
 * or forge a field.
 */
public final class JsonLine {

    /** The key-value pair that names a line's session. */
    public static final String SESSION_KEY = "session";

    /** The length of a session prefix as the core makes them: eight lower-case hex digits, in brackets, then a blank. */
    private static final int SESSION_PREFIX_LENGTH = 11;

    private static final DateTimeFormatter TIMESTAMP =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSX").withZone(ZoneOffset.UTC);

    private JsonLine() {
    }

    /**
     * The event as a JSON object followed by a line feed.
     *
     * @param event the event
     * @return the line
     */
    public static String render(ILoggingEvent event) {
        String message = event.getFormattedMessage();
        if (message == null) {
            message = "";
        }
        String session = sessionPair(event.getKeyValuePairs());
        if (session == null && hasSessionPrefix(message)) {
            session = message.substring(1, SESSION_PREFIX_LENGTH - 2);
            message = message.substring(SESSION_PREFIX_LENGTH);
        }
        StringBuilder line = new StringBuilder(160 + message.length());
        line.append('{');
        field(line, "timestamp", TIMESTAMP.format(event.getInstant()));
        line.append(',');
        field(line, "level", event.getLevel().toString());
        line.append(',');
        field(line, "logger", event.getLoggerName());
        line.append(',');
        field(line, "thread", event.getThreadName());
        if (session != null) {
            line.append(',');
            field(line, SESSION_KEY, session);
        }
        line.append(',');
        field(line, "message", message);
        if (event.getThrowableProxy() != null) {
            line.append(',');
            field(line, "exception", ThrowableProxyUtil.asString(event.getThrowableProxy()));
        }
        return line.append("}\n").toString();
    }

    /** Checked by hand rather than by a regular expression, which would cost a matcher on every line. */
    private static boolean hasSessionPrefix(String message) {
        if (message.length() < SESSION_PREFIX_LENGTH || message.charAt(0) != '['
                || message.charAt(SESSION_PREFIX_LENGTH - 2) != ']' || message.charAt(SESSION_PREFIX_LENGTH - 1) != ' ') {
            return false;
        }
        for (int i = 1; i < SESSION_PREFIX_LENGTH - 2; i++) {
            char c = message.charAt(i);
            if ((c < '0' || c > '9') && (c < 'a' || c > 'f')) {
                return false;
            }
        }
        return true;
    }

    private static String sessionPair(List<KeyValuePair> pairs) {
        if (pairs != null) {
            for (KeyValuePair pair : pairs) {
                if (SESSION_KEY.equals(pair.key) && pair.value != null) {
                    return String.valueOf(pair.value);
                }
            }
        }
        return null;
    }

    private static void field(StringBuilder line, String name, String value) {
        string(line, name);
        line.append(':');
        string(line, value == null ? "" : value);
    }

    /** Appends a JSON string (RFC 8259): quotes, backslashes and control characters escaped. */
    static void string(StringBuilder line, String value) {
        line.append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> line.append("\\\"");
                case '\\' -> line.append("\\\\");
                case '\n' -> line.append("\\n");
                case '\r' -> line.append("\\r");
                case '\t' -> line.append("\\t");
                default -> {
                    // Line and paragraph separators too: some readers take them for line ends.
                    if (c < 0x20 || c == 0x7f || c == '\u2028' || c == '\u2029') {
                        line.append(String.format("\\u%04x", (int) c));
                    } else {
                        line.append(c);
                    }
                }
            }
        }
        line.append('"');
    }
}
