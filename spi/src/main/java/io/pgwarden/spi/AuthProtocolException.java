package io.pgwarden.spi;

/**
 * The client broke the authentication exchange: it sent another message than the one asked
 * for, or closed the connection. The core reports it to the client as a protocol violation.
 */
public class AuthProtocolException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what was wrong
     */
    public AuthProtocolException(String message) {
        super(message);
    }
}
