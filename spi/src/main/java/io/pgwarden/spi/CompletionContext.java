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
}
