package io.pgwarden.core.protocol.frontend;

import io.netty.buffer.ByteBuf;
import io.pgwarden.core.protocol.MessageType;
import io.pgwarden.core.protocol.PgBuffers;

/** Flush ({@code 'H'}): asks the server to send the output it has pending. */
public record Flush() {

    public static final Flush INSTANCE = new Flush();

    /** Decodes the body after the length, which must be empty. */
    public static Flush decode(ByteBuf payload) {
        PgBuffers.requireEnd(payload, "Flush");
        return INSTANCE;
    }

    /** Writes the whole message: the type byte and length 4. */
    public void encode(ByteBuf out) {
        out.writeByte(MessageType.FLUSH);
        out.writeInt(4);
    }
}
