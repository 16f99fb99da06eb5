package io.pgwarden.spi;

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
}
