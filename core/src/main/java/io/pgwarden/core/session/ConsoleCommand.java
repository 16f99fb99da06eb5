package io.pgwarden.core.session;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * One admin console command read from a simple Query's text: its verb and, for {@code PAUSE},
 * {@code RESUME} and {@code KILL}, the database it names.
 *
 * @param verb the command
 * @param database the database argument, or null
 */
record ConsoleCommand(Verb verb, String database) {

    /** The commands; a new one is a constant here and a case in {@link AdminConsole}. */
    enum Verb {
        /** {@code SHOW VERSION}. */
        SHOW_VERSION("SHOW VERSION", Argument.NONE),
        /** {@code SHOW POOLS}. */
        SHOW_POOLS("SHOW POOLS", Argument.NONE),
        /** {@code SHOW CLIENTS}. */
        SHOW_CLIENTS("SHOW CLIENTS", Argument.NONE),
        /** {@code SHOW SERVERS}. */
        SHOW_SERVERS("SHOW SERVERS", Argument.NONE),
        /** {@code SHOW STATS}. */
        SHOW_STATS("SHOW STATS", Argument.NONE),
        /** {@code SHOW CONFIG}. */
        SHOW_CONFIG("SHOW CONFIG", Argument.NONE),
        /** {@code SHOW PLUGINS}. */
        SHOW_PLUGINS("SHOW PLUGINS", Argument.NONE),
        /** {@code PAUSE [db]}. */
        PAUSE("PAUSE", Argument.OPTIONAL),
        /** {@code RESUME [db]}. */
        RESUME("RESUME", Argument.OPTIONAL),
        /** {@code KILL db}. */
        KILL("KILL", Argument.REQUIRED),
        /** {@code RELOAD}: read the configuration file again and apply it. */
        RELOAD("RELOAD", Argument.NONE),
        /** {@code SHUTDOWN}. */
        SHUTDOWN("SHUTDOWN", Argument.NONE);

        private final String text;
        private final Argument argument;

        Verb(String text, Argument argument) {
            this.text = text;
            this.argument = argument;
        }

        /** @return the command as typed, with its argument if any */
        String usage() {
            return switch (argument) {
                case NONE -> text;
                case OPTIONAL -> text + " [db]";
                case REQUIRED -> text + " db";
            };
        }
    }

    private enum Argument { NONE, OPTIONAL, REQUIRED }

    /** Every command's usage, for the error an unknown command gets. */
    static final String SUPPORTED = Arrays.stream(Verb.values()).map(Verb::usage).collect(Collectors.joining(", "));

    /**
     * Reads a command: case-insensitive keywords, words separated by any white space, one optional
     * trailing semicolon; a database name as typed, or in double quotes.
     *
     * @param sql the query text from the client
     * @return the command
     * @throws IllegalArgumentException when the text is no command; the message says why
     */
    static ConsoleCommand parse(String sql) {
        String text = sql.strip();
        if (text.endsWith(";")) {
            text = text.substring(0, text.length() - 1).strip();
        }
        String[] words = text.isEmpty() ? new String[0] : text.split("\\s+");
        for (Verb verb : Verb.values()) {
            String[] keywords = verb.text.split(" ");
            if (words.length < keywords.length || !matches(words, keywords)) {
                continue;
            }
            int extra = words.length - keywords.length;
            if (extra > 1 || extra == 1 && verb.argument == Argument.NONE) {
                throw new IllegalArgumentException(verb.text + " takes " + (verb.argument == Argument.NONE ? "no argument"
                        : "one database name") + "; usage: " + verb.usage());
            }
            if (extra == 0 && verb.argument == Argument.REQUIRED) {
                throw new IllegalArgumentException(verb.text + " needs a database name; usage: " + verb.usage());
            }
            return new ConsoleCommand(verb, extra == 1 ? databaseName(words[words.length - 1]) : null);
        }
        throw new IllegalArgumentException("unsupported admin console command; the pgwarden admin console supports " + SUPPORTED
                + " (simple query protocol)");
    }

    private static boolean matches(String[] words, String[] keywords) {
        for (int i = 0; i < keywords.length; i++) {
            if (!words[i].toUpperCase(Locale.ROOT).equals(keywords[i])) {
                return false;
            }
        }
        return true;
    }

    private static String databaseName(String word) {
        if (word.length() >= 2 && word.startsWith("\"") && word.endsWith("\"")) {
            return word.substring(1, word.length() - 1).replace("\"\"", "\"");
        }
        return word;
    }

    @Override
    public String toString() {
        return database == null ? verb.text : verb.text + " " + database;
    }
}
