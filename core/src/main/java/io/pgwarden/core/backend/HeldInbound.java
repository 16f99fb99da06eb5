package io.pgwarden.core.backend;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.pgwarden.core.protocol.Frame;
import io.pgwarden.core.protocol.PgFrameDecoder;

/**
 * Holds what a server sent after its first ReadyForQuery until the connection's owner asks for data.
 * The connector completes with auto-read off and the owner's handler comes later, so without this
 * those bytes would reach the pipeline's tail and be dropped. On the first {@code read()} (an
 * explicit one, or turning auto-read on) it hands everything on as one {@code ByteBuf} and leaves.
 */
final class HeldInbound extends ChannelDuplexHandler {

    static final String NAME = "pgwarden-backend-held";

    private CompositeByteBuf held;

    /** Adds a frame decoded before the hand-over, re-encoded to the bytes it came as. */
    void add(ChannelHandlerContext ctx, Frame frame) {
        ByteBuf payload = frame.payload();
        ByteBuf bytes = ctx.alloc().buffer(PgFrameDecoder.HEADER_SIZE + payload.readableBytes());
        bytes.writeByte(frame.type()).writeInt(payload.readableBytes() + 4)
                .writeBytes(payload, payload.readerIndex(), payload.readableBytes());
        frame.release();
        add(ctx, bytes);
    }

    private void add(ChannelHandlerContext ctx, ByteBuf bytes) {
        if (held == null) {
            held = ctx.alloc().compositeBuffer();
        }
        held.addComponent(true, bytes);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof Frame frame) {
            add(ctx, frame);
        } else if (msg instanceof ByteBuf bytes) {
            add(ctx, bytes);
        } else {
            ctx.fireChannelRead(msg);
        }
    }

    @Override
    public void read(ChannelHandlerContext ctx) {
        ctx.pipeline().remove(this);
        ctx.read();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        CompositeByteBuf bytes = held;
        held = null;
        if (bytes == null) {
            return;
        }
        if (ctx.channel().isActive() && bytes.isReadable()) {
            ctx.fireChannelRead(bytes);
            ctx.fireChannelReadComplete();
        } else {
            bytes.release();
        }
    }
}
