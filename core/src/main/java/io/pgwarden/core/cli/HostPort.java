package io.pgwarden.core.cli;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;

/**
 * A {@code HOST:PORT} from the command line: {@code db.example.com:5432}, {@code 10.0.0.5}, {@code [::1]:5432}.
 *
 * @param host the host name or literal address, without brackets
 * @param port the port
 */
record HostPort(String host, int port) {

    private static final Pattern BRACKETED = Pattern.compile("\\[([0-9A-Fa-f:.]+)](?::([0-9]{1,5}))?");
    private static final Pattern PLAIN = Pattern.compile("([A-Za-z0-9._-]+)(?::([0-9]{1,5}))?");

    /**
     * Parses the text; the port may be left out.
     *
     * @throws IllegalArgumentException when it is not HOST[:PORT]
     */
    static HostPort parse(String text, int defaultPort) {
        return parse(text, defaultPort, 1);
    }

    /**
     * Parses the text, allowing ports from {@code lowestPort}; 0 means "any free port" where a port is bound.
     *
     * @throws IllegalArgumentException when it is not HOST[:PORT]
     */
    static HostPort parse(String text, int defaultPort, int lowestPort) {
        String trimmed = text.trim();
        Matcher matcher = BRACKETED.matcher(trimmed);
        if (!matcher.matches()) {
            matcher = PLAIN.matcher(trimmed);
            if (!matcher.matches()) {
                throw new IllegalArgumentException("expected HOST:PORT (e.g. db.example.com:5432 or [::1]:5432), found '"
                        + text + "'");
            }
        }
        int port = matcher.group(2) == null ? defaultPort : Integer.parseInt(matcher.group(2));
        if (port < lowestPort || port > 65535) {
            throw new IllegalArgumentException("port " + port + " is out of range " + lowestPort + "-65535 in '" + text + "'");
        }
        return new HostPort(matcher.group(1), port);
    }

    /** Parses a backend address; PostgreSQL's port is the default. */
    static final class BackendConverter implements CommandLine.ITypeConverter<HostPort> {
        @Override
        public HostPort convert(String value) {
            return parse(value, 5432);
        }
    }

    /** Parses a listen address; pgwarden's port is the default, 0 binds any free port. */
    static final class ListenConverter implements CommandLine.ITypeConverter<HostPort> {
        @Override
        public HostPort convert(String value) {
            return parse(value, 6432, 0);
        }
    }

    @Override
    public String toString() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
}
