package io.pgwarden.core.protocol.backend;

import io.netty.buffer.ByteBuf;
import io.pgwarden.core.protocol.MessageType;
import io.pgwarden.core.protocol.PgBuffers;

/** ParseComplete ({@code '1'}): a Parse succeeded. */
public record ParseComplete() {

    public static final ParseComplete INSTANCE = new ParseComplete();

    /** Decodes the body after the length, which must be empty. */
    public static ParseComplete decode(ByteBuf payload) {
        PgBuffers.requireEnd(payload, "ParseComplete");
        return INSTANCE;
    }

    /** Writes the whole message: the type byte and length 4. */
    public void encode(ByteBuf out) {
        out.writeByte(MessageType.PARSE_COMPLETE);
        out.writeInt(4);
    }
}
