package io.pgwarden.spi;

/**
 * The client broke the authentication exchange: it sent another message than the one asked
 * for, a message the mechanism cannot parse, or closed the connection. The core reports it to the
 * client as FATAL {@code 08P01} (protocol violation) with the message and, when there is one, the
 * detail.
 */
public class AuthProtocolException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** Null when there is none. */
    private final String detail;

    /**
     * Creates the exception.
     *
     * @param message what was wrong
     */
    public AuthProtocolException(String message) {
        this(message, null);
    }

    /**
     * Creates the exception with a detail, e.g. PostgreSQL's "malformed OAUTHBEARER message" with
     * "The message is empty.". Since SPI 1.3.
     *
     * @param message what was wrong, the client's primary message
     * @param detail the client's detail ({@code D}), or {@code null}; never a secret
     */
    public AuthProtocolException(String message, String detail) {
        super(message);
        this.detail = detail;
    }

    /**
     * The detail the client receives. Since SPI 1.3.
     *
     * @return the detail, or {@code null} when there is none
     */
    public String detail() {
        return detail;
    }
}
