package io.pgwarden.core.protocol.frontend;

import io.netty.buffer.ByteBuf;
import io.pgwarden.core.protocol.MessageType;
import io.pgwarden.core.protocol.PgBuffers;
import java.util.Objects;

/** CopyFail ({@code 'f'}): the client aborts COPY FROM STDIN with an error message. */
public record CopyFail(String message) {

    private static final String NAME = "CopyFail";

    public CopyFail {
        Objects.requireNonNull(message, "message");
    }

    /** Decodes the body after the length. */
    public static CopyFail decode(ByteBuf payload) {
        String message = PgBuffers.readCString(payload, NAME);
        PgBuffers.requireEnd(payload, NAME);
        return new CopyFail(message);
    }

    /** Writes the whole message. */
    public void encode(ByteBuf out) {
        int lengthIndex = PgBuffers.beginMessage(out, MessageType.COPY_FAIL);
        PgBuffers.writeCString(out, message);
        PgBuffers.endMessage(out, lengthIndex);
    }
}
