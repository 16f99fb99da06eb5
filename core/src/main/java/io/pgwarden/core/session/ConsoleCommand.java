package io.pgwarden.core.session;

import java.util.Locale;

/** The admin console's commands; {@link #parse} reads one from a simple Query's text. */
enum ConsoleCommand {

    /** {@code SHOW VERSION}. */
    VERSION,
    /** {@code SHOW POOLS}. */
    POOLS,
    /** {@code SHOW CLIENTS}. */
    CLIENTS,
    /** {@code RELOAD}: read the configuration file again and apply it. */
    RELOAD,
    /** Anything else. */
    UNSUPPORTED;

    /** The text of the error an unsupported command gets. */
    static final String SUPPORTED = "the pgwarden admin console supports only SHOW VERSION, SHOW POOLS, SHOW CLIENTS"
            + " and RELOAD (simple query protocol)";

    /**
     * Reads a command: case-insensitive, words separated by any white space, one optional trailing semicolon.
     *
     * @param sql the query text from the client
     * @return the command, {@link #UNSUPPORTED} for anything else
     */
    static ConsoleCommand parse(String sql) {
        String text = sql.strip();
        if (text.endsWith(";")) {
            text = text.substring(0, text.length() - 1).strip();
        }
        String[] words = text.toUpperCase(Locale.ROOT).split("\\s+");
        if (words.length == 1 && words[0].equals("RELOAD")) {
            return RELOAD;
        }
        if (words.length != 2 || !words[0].equals("SHOW")) {
            return UNSUPPORTED;
        }
        return switch (words[1]) {
            case "VERSION" -> VERSION;
            case "POOLS" -> POOLS;
            case "CLIENTS" -> CLIENTS;
            default -> UNSUPPORTED;
        };
    }
}
