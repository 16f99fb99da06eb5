package io.pgwarden.core.protocol;

import io.netty.handler.codec.DecoderException;
import java.util.Objects;

/**
 * A peer sent bytes that break the PostgreSQL protocol: a lying length, a truncated or malformed
 * message body, an unsupported startup request.
 *
 * <p>It extends Netty's {@link DecoderException} so that a decoder in a pipeline passes it to
 * {@code exceptionCaught} as is, instead of wrapping it. {@link #sqlState()} is the SQLSTATE to
 * report to a client in a FATAL ErrorResponse, {@code 08P01} (protocol_violation) unless stated.
 */
public final class ProtocolException extends DecoderException {

    /** SQLSTATE protocol_violation. */
    public static final String PROTOCOL_VIOLATION = "08P01";

    private static final long serialVersionUID = 1L;

    private final String sqlState;

    /** A protocol violation ({@code 08P01}). */
    public ProtocolException(String message) {
        this(PROTOCOL_VIOLATION, message);
    }

    /** A protocol error with the given SQLSTATE, e.g. {@code 0A000} for an unsupported version. */
    public ProtocolException(String sqlState, String message) {
        super(Objects.requireNonNull(message, "message"));
        this.sqlState = Objects.requireNonNull(sqlState, "sqlState");
    }

    /** The SQLSTATE to report to the peer. */
    public String sqlState() {
        return sqlState;
    }

    /** A malformed body of the named message, e.g. {@code malformed(MessageType.frontendName(t), "...")}. */
    public static ProtocolException malformed(String messageName, String problem) {
        return new ProtocolException("invalid " + messageName + " message: " + problem);
    }
}
