package io.pgwarden.core.protocol.frontend;

import io.netty.buffer.ByteBuf;
import io.pgwarden.core.protocol.MessageType;
import io.pgwarden.core.protocol.PgBuffers;

/** Terminate ({@code 'X'}): the client is closing the connection. */
public record Terminate() {

    public static final Terminate INSTANCE = new Terminate();

    /** Decodes the body after the length, which must be empty. */
    public static Terminate decode(ByteBuf payload) {
        PgBuffers.requireEnd(payload, "Terminate");
        return INSTANCE;
    }

    /** Writes the whole message: the type byte and length 4. */
    public void encode(ByteBuf out) {
        out.writeByte(MessageType.TERMINATE);
        out.writeInt(4);
    }
}
