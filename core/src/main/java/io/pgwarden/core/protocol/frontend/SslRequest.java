package io.pgwarden.core.protocol.frontend;

import io.netty.buffer.ByteBuf;
import io.pgwarden.core.protocol.PgBuffers;

/** SSLRequest: the client asks whether the server will start TLS. */
public record SslRequest() implements StartupPacket {

    /** 1234 in the high 16 bits, 5679 in the low 16 bits. */
    public static final int CODE = 80877103;

    public static final SslRequest INSTANCE = new SslRequest();

    static SslRequest decodeBody(ByteBuf body) {
        PgBuffers.requireEnd(body, "SSLRequest");
        return INSTANCE;
    }

    @Override
    public void encode(ByteBuf out) {
        out.writeInt(8);
        out.writeInt(CODE);
    }
}
