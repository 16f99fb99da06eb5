package io.pgwarden.core.protocol.backend;

import io.netty.buffer.ByteBuf;
import io.pgwarden.core.protocol.MessageType;
import io.pgwarden.core.protocol.PgBuffers;
import java.util.Map;

/**
 * ErrorResponse ({@code 'E'}): fields keyed by their code ({@link ErrorFields}), in wire order.
 * The factories write both {@code S} and {@code V} like PostgreSQL 9.6 and later.
 */
public record ErrorResponse(Map<Character, String> fields) implements ResponseFields {

    private static final String NAME = "ErrorResponse";

    /** Copies {@code fields}, keeping their order. */
    public ErrorResponse {
        fields = ErrorFields.copyOf(fields);
    }

    /** A FATAL error: the session ends after it. */
    public static ErrorResponse fatal(String sqlState, String message) {
        return new ErrorResponse(ErrorFields.of("FATAL", sqlState, message));
    }

    /** An ERROR: the current statement fails, the session goes on. */
    public static ErrorResponse error(String sqlState, String message) {
        return new ErrorResponse(ErrorFields.of("ERROR", sqlState, message));
    }

    /** A copy with the hint ({@code H}) set. */
    public ErrorResponse withHint(String hint) {
        return new ErrorResponse(ErrorFields.with(fields, ErrorFields.HINT, hint));
    }

    /** A copy with the detail ({@code D}) set. */
    public ErrorResponse withDetail(String detail) {
        return new ErrorResponse(ErrorFields.with(fields, ErrorFields.DETAIL, detail));
    }

    /** Decodes the body after the length. */
    public static ErrorResponse decode(ByteBuf payload) {
        return new ErrorResponse(ErrorFields.decode(payload, NAME));
    }

    /** Writes the whole message. */
    public void encode(ByteBuf out) {
        int lengthIndex = PgBuffers.beginMessage(out, MessageType.ERROR_RESPONSE);
        ErrorFields.encodeBody(out, fields);
        PgBuffers.endMessage(out, lengthIndex);
    }
}
