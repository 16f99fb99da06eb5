package io.pgwarden.spi;

import java.util.List;

/**
 * How a statement ended: a CommandComplete or an ErrorResponse from the server.
 */
public interface CompletionContext {

    /**
     * The session.
     *
     * @return the session
     */
    SessionContext session();

    /**
     * The command tag, e.g. {@code SELECT 5}; empty when the statement failed.
     *
     * @return the tag
     */
    String commandTag();

    /**
     * The SQLSTATE of the error, or {@code null} when the statement succeeded.
     *
     * @return the SQLSTATE
     */
    String errorSqlState();

    /**
     * The error's message, or {@code null} when the statement succeeded.
     *
     * @return the message
     */
    String errorMessage();

    /**
     * The Execute this completion answers, the same instance {@link Interceptor#onExecute} saw;
     * {@code null} for a statement of a simple query.
     *
     * @return the Execute or null
     * @since 1.4
     */
    default ExecuteContext execute() {
        return null;
    }

    /**
     * What plugins reported about this statement through {@link QueryContext#note} and
     * {@link ResultSetContext#note}, in the order reported, plus the proxy's own notes (for
     * example {@code route} when a plugin routed the statement).
     *
     * @return the notes; empty when there are none
     * @since 1.4
     */
    default List<Note> notes() {
        return List.of();
    }

    /**
     * The text of the statement that ended, as the server received it (after plugins' rewrites): for an
     * Execute, the text of the prepared statement it runs (as {@code execute().sql()}); for a simple query,
     * the whole query string, which may hold several statements (see {@link #statementIndex()}).
     * {@code null} when the completion answers neither: an error that answers a Parse or Bind (a syntax
     * error, say), or an error the server sends on its own.
     *
     * @return the text or null
     * @since 1.5
     */
    default String sql() {
        ExecuteContext execute = execute();
        return execute == null ? null : execute.sql();
    }

    /**
     * Which statement of its simple query string this completion ends, counted from 0: a query string
     * with three statements completes three times, with 0, 1 and 2 (fewer when one fails, as the server
     * skips the rest). Always 0 for an Execute.
     *
     * @return the index
     * @since 1.5
     */
    default int statementIndex() {
        return 0;
    }

    /**
     * How long the statement took as the proxy saw it, in nanoseconds: from when its Execute or its
     * query string went to the server to this completion; for the second and later statements of a
     * query string, from the completion of the one before.
     *
     * @return the duration, or -1 when the completion answers neither an Execute nor a simple query
     * @since 1.5
     */
    default long durationNanos() {
        return -1;
    }
}
