package io.pgwarden.core.protocol.frontend;

import io.netty.buffer.ByteBuf;
import io.pgwarden.core.protocol.PgBuffers;

/** GSSENCRequest: the client asks whether the server will start GSSAPI encryption. */
public record GssEncRequest() implements StartupPacket {

    /** 1234 in the high 16 bits, 5680 in the low 16 bits. */
    public static final int CODE = 80877104;

    public static final GssEncRequest INSTANCE = new GssEncRequest();

    static GssEncRequest decodeBody(ByteBuf body) {
        PgBuffers.requireEnd(body, "GSSENCRequest");
        return INSTANCE;
    }

    @Override
    public void encode(ByteBuf out) {
        out.writeInt(8);
        out.writeInt(CODE);
    }
}
