package io.pgwarden.core.protocol.backend;

import io.netty.buffer.ByteBuf;
import io.pgwarden.core.protocol.MessageType;
import io.pgwarden.core.protocol.PgBuffers;

/** NoData ({@code 'n'}): the described statement or portal returns no rows. */
public record NoData() {

    public static final NoData INSTANCE = new NoData();

    /** Decodes the body after the length, which must be empty. */
    public static NoData decode(ByteBuf payload) {
        PgBuffers.requireEnd(payload, "NoData");
        return INSTANCE;
    }

    /** Writes the whole message: the type byte and length 4. */
    public void encode(ByteBuf out) {
        out.writeByte(MessageType.NO_DATA);
        out.writeInt(4);
    }
}
