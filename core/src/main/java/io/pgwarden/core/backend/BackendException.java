package io.pgwarden.core.backend;

import io.pgwarden.core.protocol.backend.ErrorResponse;
import java.util.Objects;
import java.util.Optional;

/**
 * Why a connection to a backend could not be made: the server's own ErrorResponse relayed as is
 * (wrong password: 28P01, unknown database: 3D000, too many connections: 53300, ...), or the proxy's
 * reason with a SQLSTATE of its own (unreachable, timed out, TLS refused or not verified: 08001;
 * a server that breaks the protocol: 08P01). Messages never hold a password or a key.
 */
public final class BackendException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String sqlState;
    private final transient ErrorResponse serverError;

    /**
     * A failure found by the proxy.
     *
     * @param sqlState the SQLSTATE to report
     * @param message what went wrong, for people
     */
    public BackendException(String sqlState, String message) {
        this(sqlState, message, null, null);
    }

    /**
     * A failure found by the proxy, with its cause.
     *
     * @param sqlState the SQLSTATE to report
     * @param message what went wrong, for people
     * @param cause the underlying exception
     */
    public BackendException(String sqlState, String message, Throwable cause) {
        this(sqlState, message, null, cause);
    }

    /**
     * A failure found by the proxy, with a hint that says how to fix it.
     *
     * @param sqlState the SQLSTATE to report
     * @param message what went wrong, for people
     * @param hint what to do about it
     */
    public BackendException(String sqlState, String message, String hint) {
        this(sqlState, message, ErrorResponse.fatal(sqlState, message).withHint(Objects.requireNonNull(hint, "hint")), null);
    }

    private BackendException(String sqlState, String message, ErrorResponse serverError, Throwable cause) {
        super(Objects.requireNonNull(message, "message"), cause);
        this.sqlState = Objects.requireNonNull(sqlState, "sqlState");
        this.serverError = serverError;
    }

    /**
     * The server's ErrorResponse, relayed as is.
     *
     * @param error the decoded ErrorResponse
     * @return the exception
     */
    public static BackendException fromServer(ErrorResponse error) {
        String state = error.sqlState() == null ? "08006" : error.sqlState();
        String text = error.message() == null ? "the backend reported an error without a message" : error.message();
        return new BackendException(state, text, error, null);
    }

    /**
     * The SQLSTATE: the server's, or the proxy's own.
     *
     * @return five characters
     */
    public String sqlState() {
        return sqlState;
    }

    /**
     * The message: the server's, or the proxy's own.
     *
     * @return the text
     */
    public String message() {
        return getMessage();
    }

    /**
     * The ErrorResponse to relay: the server's when the failure came from it, or the proxy's own
     * when it carries a hint.
     *
     * @return the ErrorResponse, or empty
     */
    public Optional<ErrorResponse> serverError() {
        return Optional.ofNullable(serverError);
    }
}
