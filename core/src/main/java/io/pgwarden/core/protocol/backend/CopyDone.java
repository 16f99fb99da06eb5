package io.pgwarden.core.protocol.backend;

import io.netty.buffer.ByteBuf;
import io.pgwarden.core.protocol.MessageType;
import io.pgwarden.core.protocol.PgBuffers;

/** CopyDone ({@code 'c'}), sent by both sides: the COPY data stream is complete. */
public record CopyDone() {

    public static final CopyDone INSTANCE = new CopyDone();

    /** Decodes the body after the length, which must be empty. */
    public static CopyDone decode(ByteBuf payload) {
        PgBuffers.requireEnd(payload, "CopyDone");
        return INSTANCE;
    }

    /** Writes the whole message: the type byte and length 4. */
    public void encode(ByteBuf out) {
        out.writeByte(MessageType.COPY_DONE);
        out.writeInt(4);
    }
}
