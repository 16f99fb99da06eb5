package io.pgwarden.spi;

import java.nio.ByteBuffer;

/**
 * One protocol message, as {@link Interceptor#onMessage} sees it.
 */
public interface MessageContext {

    /** Which way a message travels. */
    enum Direction {
        /** From the client to the server. */
        FRONTEND,
        /** From the server to the client. */
        BACKEND
    }

    /**
     * The session.
     *
     * @return the session
     */
    SessionContext session();

    /**
     * Which way the message travels.
     *
     * @return the direction
     */
    Direction direction();

    /**
     * The message type byte, e.g. {@code 'Q'}.
     *
     * @return the type
     */
    char type();

    /**
     * The message body after the type byte and length, as a read-only buffer valid during
     * the call.
     *
     * @return the body
     */
    ByteBuffer payload();
}
