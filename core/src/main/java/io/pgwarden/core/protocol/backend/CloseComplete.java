package io.pgwarden.core.protocol.backend;

import io.netty.buffer.ByteBuf;
import io.pgwarden.core.protocol.MessageType;
import io.pgwarden.core.protocol.PgBuffers;

/** CloseComplete ({@code '3'}): a Close succeeded. */
public record CloseComplete() {

    public static final CloseComplete INSTANCE = new CloseComplete();

    /** Decodes the body after the length, which must be empty. */
    public static CloseComplete decode(ByteBuf payload) {
        PgBuffers.requireEnd(payload, "CloseComplete");
        return INSTANCE;
    }

    /** Writes the whole message: the type byte and length 4. */
    public void encode(ByteBuf out) {
        out.writeByte(MessageType.CLOSE_COMPLETE);
        out.writeInt(4);
    }
}
