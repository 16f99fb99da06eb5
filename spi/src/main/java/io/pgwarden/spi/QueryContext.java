package io.pgwarden.spi;

/**
 * A statement the client sent.
 */
public interface QueryContext {

    /** How the statement arrived. */
    enum Kind {
        /** A simple Query message; it may hold several statements separated by semicolons. */
        SIMPLE,
        /** A Parse message of the extended protocol. */
        PARSE
    }

    /**
     * The session.
     *
     * @return the session
     */
    SessionContext session();

    /**
     * How the statement arrived.
     *
     * @return the kind
     */
    Kind kind();

    /**
     * The statement text, decoded on the first call and cached; reflects earlier rewrites.
     *
     * @return the text
     */
    String sql();

    /**
     * The prepared statement name of a Parse; empty for the unnamed statement and for simple
     * queries.
     *
     * @return the name
     */
    String statementName();

    /**
     * Reports a decision about this statement (where it was routed, what was rewritten) for
     * audit plugins, which find it in {@link CompletionContext#notes()} under this plugin's name.
     * For a Parse, the note goes with every Execute of the statement that completes afterwards.
     *
     * @param key what was decided, e.g. {@code route}
     * @param value the decision
     * @since 1.4
     */
    default void note(String key, String value) {
    }
}
