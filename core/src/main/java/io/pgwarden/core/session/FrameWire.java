package io.pgwarden.core.session;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.pgwarden.core.protocol.Frame;

/** Turns a decoded frame back into its bytes on the wire, for handing over to a relay. */
final class FrameWire {

    private FrameWire() {
    }

    static ByteBuf of(Frame frame, ByteBufAllocator alloc) {
        ByteBuf payload = frame.payload();
        ByteBuf out = alloc.buffer(5 + payload.readableBytes());
        out.writeByte(frame.type()).writeInt(4 + payload.readableBytes()).writeBytes(payload, payload.readerIndex(), payload.readableBytes());
        return out;
    }
}
