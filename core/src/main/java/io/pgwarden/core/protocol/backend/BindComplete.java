package io.pgwarden.core.protocol.backend;

import io.netty.buffer.ByteBuf;
import io.pgwarden.core.protocol.MessageType;
import io.pgwarden.core.protocol.PgBuffers;

/** BindComplete ({@code '2'}): a Bind succeeded. */
public record BindComplete() {

    public static final BindComplete INSTANCE = new BindComplete();

    /** Decodes the body after the length, which must be empty. */
    public static BindComplete decode(ByteBuf payload) {
        PgBuffers.requireEnd(payload, "BindComplete");
        return INSTANCE;
    }

    /** Writes the whole message: the type byte and length 4. */
    public void encode(ByteBuf out) {
        out.writeByte(MessageType.BIND_COMPLETE);
        out.writeInt(4);
    }
}
