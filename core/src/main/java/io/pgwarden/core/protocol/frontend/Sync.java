package io.pgwarden.core.protocol.frontend;

import io.netty.buffer.ByteBuf;
import io.pgwarden.core.protocol.MessageType;
import io.pgwarden.core.protocol.PgBuffers;

/** Sync ({@code 'S'}): ends an extended-query cycle; the server answers with ReadyForQuery. */
public record Sync() {

    public static final Sync INSTANCE = new Sync();

    /** Decodes the body after the length, which must be empty. */
    public static Sync decode(ByteBuf payload) {
        PgBuffers.requireEnd(payload, "Sync");
        return INSTANCE;
    }

    /** Writes the whole message: the type byte and length 4. */
    public void encode(ByteBuf out) {
        out.writeByte(MessageType.SYNC);
        out.writeInt(4);
    }
}
