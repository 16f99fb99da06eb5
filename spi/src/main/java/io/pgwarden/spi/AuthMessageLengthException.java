package io.pgwarden.spi;

/**
 * The client's answer to an authentication request announced a length the request does not accept:
 * more than {@link AuthExchange#MAX_AUTH_MESSAGE_LENGTH} bytes, or less than the
 * length word itself. The core refuses it as soon as its header arrives, without reading the rest,
 * as PostgreSQL does; an authenticator may catch it to answer as its mechanism prescribes, otherwise
 * the client gets FATAL {@code 08P01}. The connection cannot go on either way. Since SPI 1.3.
 */
public class AuthMessageLengthException extends AuthProtocolException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what the client announced and what was allowed
     */
    public AuthMessageLengthException(String message) {
        super(message);
    }
}
