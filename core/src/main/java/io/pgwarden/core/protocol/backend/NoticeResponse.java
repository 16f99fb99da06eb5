package io.pgwarden.core.protocol.backend;

import io.netty.buffer.ByteBuf;
import io.pgwarden.core.protocol.MessageType;
import io.pgwarden.core.protocol.PgBuffers;
import java.util.Map;

/**
 * NoticeResponse ({@code 'N'}): a warning or notice that does not end the statement; fields
 * keyed by their code ({@link ErrorFields}), in wire order. The factories write both {@code S}
 * and {@code V} like PostgreSQL 9.6 and later.
 */
public record NoticeResponse(Map<Character, String> fields) implements ResponseFields {

    private static final String NAME = "NoticeResponse";

    /** Copies {@code fields}, keeping their order. */
    public NoticeResponse {
        fields = ErrorFields.copyOf(fields);
    }

    /** A WARNING. */
    public static NoticeResponse warning(String sqlState, String message) {
        return new NoticeResponse(ErrorFields.of("WARNING", sqlState, message));
    }

    /** A NOTICE. */
    public static NoticeResponse notice(String sqlState, String message) {
        return new NoticeResponse(ErrorFields.of("NOTICE", sqlState, message));
    }

    /** A copy with the hint ({@code H}) set. */
    public NoticeResponse withHint(String hint) {
        return new NoticeResponse(ErrorFields.with(fields, ErrorFields.HINT, hint));
    }

    /** A copy with the detail ({@code D}) set. */
    public NoticeResponse withDetail(String detail) {
        return new NoticeResponse(ErrorFields.with(fields, ErrorFields.DETAIL, detail));
    }

    /** Decodes the body after the length. */
    public static NoticeResponse decode(ByteBuf payload) {
        return new NoticeResponse(ErrorFields.decode(payload, NAME));
    }

    /** Writes the whole message. */
    public void encode(ByteBuf out) {
        int lengthIndex = PgBuffers.beginMessage(out, MessageType.NOTICE_RESPONSE);
        ErrorFields.encodeBody(out, fields);
        PgBuffers.endMessage(out, lengthIndex);
    }
}
