package io.pgwarden.core.admin;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufHolder;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts the bytes that pass one side of the proxy, for {@code pgwarden.client.bytes} and
 * {@code pgwarden.server.bytes}. One instance is shared by every channel of that side; it sits in
 * the pipeline behind TLS, so it counts PostgreSQL protocol bytes, not TLS records.
 *
 * <p>The cost on the data path is one {@link LongAdder#add} per socket read and per write (a write is
 * a run of frames, not one message); the meters read the sums at scrape time.
 */
@ChannelHandler.Sharable
public final class ByteCounter extends ChannelDuplexHandler {

    /** The handler's name in a pipeline. */
    public static final String NAME = "bytes";

    private final LongAdder received = new LongAdder();
    private final LongAdder sent = new LongAdder();

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        received.add(size(msg));
        ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        sent.add(size(msg));
        ctx.write(msg, promise);
    }

    private static int size(Object msg) {
        if (msg instanceof ByteBuf buf) {
            return buf.readableBytes();
        }
        return msg instanceof ByteBufHolder holder ? holder.content().readableBytes() : 0;
    }

    /**
     * Bytes read from the channels so far.
     *
     * @return the total
     */
    public long received() {
        return received.sum();
    }

    /**
     * Bytes handed to the channels for writing so far.
     *
     * @return the total
     */
    public long sent() {
        return sent.sum();
    }
}
