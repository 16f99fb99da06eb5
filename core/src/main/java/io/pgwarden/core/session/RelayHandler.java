package io.pgwarden.core.session;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves protocol frames from the channel it sits on to another, without copying.
 *
 * <p>Frames are found by peeking the type byte and length in the received buffer. Consecutive
 * frames that nobody inspects form a run that is written as one retained slice of the buffer
 * they arrived in; a frame larger than what has arrived streams through as it comes, so a huge
 * DataRow or CopyData never sits whole in memory. Only frames the {@link FramePolicy} inspects are
 * buffered whole, up to the message size limit. Everything written during one read burst is
 * flushed once, in {@link #channelReadComplete}.
 *
 * <p>Back-pressure: while the other channel is not writable, this one stops reading; the other
 * side's relay calls {@link #updateAutoRead()} when it drains.
 */
final class RelayHandler extends ChannelInboundHandlerAdapter {

    private static final Logger LOG = LoggerFactory.getLogger(RelayHandler.class);
    /** What a client may send ahead while it waits for a server before reading stops. */
    private static final int AWAIT_BUFFER_LIMIT = 64 * 1024;

    /** Where frames go; null while a transaction-pooled session has no server (the first frame attaches one). */
    private Channel out;
    /** What to do with each frame; null while the server sits in the pool, when bytes pass to the idle watcher. */
    private FramePolicy policy;
    private final int maxMessageSize;

    private ChannelHandlerContext ctx;
    private ByteBuf cumulation;
    /** Where the current run of forwarded bytes starts in the cumulation. */
    private int runStart;
    /** Bytes of a forwarded frame that have not arrived yet. */
    private long passthroughRemaining;
    /** The size of an inspected frame being awaited, to size the buffer once. */
    private int awaitedFrameSize;
    private boolean paused;
    /** Paused only until a server is attached: reading goes on, bounded by {@link #AWAIT_BUFFER_LIMIT}. */
    private boolean awaitingTarget;
    private boolean stopped;
    private boolean wrote;
    /** The relay of the opposite direction, which writes to the channel this one reads. */
    private RelayHandler peer;

    RelayHandler(Channel out, FramePolicy policy, int maxMessageSize) {
        this.out = out;
        this.policy = policy;
        this.maxMessageSize = maxMessageSize;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext context) {
        this.ctx = context;
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext context) {
        releaseCumulation();
    }

    @Override
    public void channelRead(ChannelHandlerContext context, Object msg) {
        if (policy == null) {
            context.fireChannelRead(msg);
            return;
        }
        if (!(msg instanceof ByteBuf in)) {
            context.fireChannelRead(msg);
            return;
        }
        if (stopped) {
            in.release();
            return;
        }
        cumulate(in);
        if (!paused) {
            scan();
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext context) {
        if (policy == null) {
            context.fireChannelReadComplete();
            return;
        }
        flushOut();
        if (cumulation != null && !cumulation.isReadable()) {
            releaseCumulation();
        }
        updateAutoRead();
        context.fireChannelReadComplete();
        if (!stopped) {
            policy.readComplete(this);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext context) {
        if (policy != null && !stopped) {
            policy.closed();
        }
        context.fireChannelInactive();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext context) {
        // This channel drained or filled: the relay that writes to it reads accordingly.
        if (peer != null) {
            peer.updateAutoRead();
        }
        context.fireChannelWritabilityChanged();
    }

    /** Links the two directions of a session for back-pressure. */
    static void pair(RelayHandler a, RelayHandler b) {
        a.peer = b;
        b.peer = a;
    }

    /** Forgets the opposite direction, whose server went back to the pool. */
    void unpair() {
        peer = null;
    }

    /**
     * Sets where frames go: a server that was just attached, or null when it went back to the pool.
     *
     * @param channel the channel, or null
     */
    void target(Channel channel) {
        this.out = channel;
    }

    /** @return true when nothing waits here: no frame half read or held for a server or a decision */
    boolean quiet() {
        return !paused && betweenFrames();
    }

    /** @return true when no frame is half read: nothing is buffered and no forwarded frame is incomplete */
    boolean betweenFrames() {
        return passthroughRemaining == 0 && (cumulation == null || !cumulation.isReadable());
    }

    /**
     * Lends the server this handler reads to a session: frames go to {@code client} under its policy.
     *
     * @param client the client channel
     * @param sessionPolicy the session's backend policy
     */
    void lend(Channel client, FramePolicy sessionPolicy) {
        releaseCumulation();
        out = client;
        policy = sessionPolicy;
        stopped = false;
        paused = false;
        awaitingTarget = false;
        wrote = false;
        passthroughRemaining = 0;
        awaitedFrameSize = 0;
        peer = null;
    }

    /** The session gave the server back: bytes pass to the next handler (the pool's idle watcher). */
    void giveBack() {
        releaseCumulation();
        out = null;
        policy = null;
        stopped = true;
        peer = null;
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext context, Throwable cause) {
        if (policy == null) {
            context.fireExceptionCaught(cause);
            return;
        }
        // A reset or broken socket: closing this channel lets the session end both sides cleanly
        // (channelInactive tells the policy, so the relay must not be stopped before).
        LOG.debug("relay on {} failed: {}", context.channel(), cause.toString());
        context.close();
    }

    /**
     * Writes a message to the other side; flushed at the end of the read burst.
     *
     * @param buf the bytes, released by the write
     */
    void write(ByteBuf buf) {
        if (out == null) {
            buf.release();
            throw new IllegalStateException("no server attached to write to");
        }
        out.write(buf, out.voidPromise());
        wrote = true;
    }

    /** Continues after an asynchronous decision; must run on the event loop. */
    void resume() {
        if (!paused || stopped) {
            return;
        }
        paused = false;
        awaitingTarget = false;
        if (cumulation != null) {
            scan();
        }
        flushOut();
        updateAutoRead();
    }

    /** Stops relaying for good; what is buffered is dropped. */
    void stop() {
        stopped = true;
        releaseCumulation();
    }

    /** Reads while nothing is pending and the other side can take more. */
    void updateAutoRead() {
        if (ctx == null) {
            return;
        }
        boolean read = !stopped && (out == null || out.isWritable())
                && (!paused || awaitingTarget && (cumulation == null || cumulation.readableBytes() < AWAIT_BUFFER_LIMIT));
        if (ctx.channel().config().isAutoRead() != read) {
            ctx.channel().config().setAutoRead(read);
        }
    }

    private void cumulate(ByteBuf in) {
        if (cumulation == null) {
            cumulation = in;
            runStart = in.readerIndex();
            return;
        }
        if (!cumulation.isReadable()) {
            cumulation.release();
            cumulation = in;
            runStart = in.readerIndex();
            return;
        }
        // Forwarded slices of the cumulation may still be queued for writing; appending after its
        // writer index leaves them intact, but only when no reallocation is needed.
        if (cumulation.writableBytes() >= in.readableBytes() && !cumulation.isReadOnly()) {
            cumulation.writeBytes(in);
            in.release();
            return;
        }
        int needed = cumulation.readableBytes() + in.readableBytes();
        ByteBuf merged = ctx.alloc().buffer(Math.max(needed, awaitedFrameSize));
        merged.writeBytes(cumulation).writeBytes(in);
        cumulation.release();
        in.release();
        cumulation = merged;
        runStart = merged.readerIndex();
    }

    private void scan() {
        ByteBuf buf = cumulation;
        runStart = buf.readerIndex();
        while (!paused && !stopped) {
            int readable = buf.readableBytes();
            if (passthroughRemaining > 0) {
                int n = (int) Math.min(passthroughRemaining, readable);
                if (n == 0) {
                    break;
                }
                buf.skipBytes(n);
                passthroughRemaining -= n;
                continue;
            }
            if (readable < 5) {
                break;
            }
            int index = buf.readerIndex();
            byte type = buf.getByte(index);
            int length = buf.getInt(index + 1);
            if (length < 4) {
                violation("invalid message length " + length + " for message type '" + printable(type) + "'");
                return;
            }
            long frameSize = length + 1L;
            if (out == null && !policy.attach(type, this)) {
                // A server is on its way; the frame stays in the buffer until resume(). Reading goes
                // on (no epoll change for a short wait) until AWAIT_BUFFER_LIMIT bytes are buffered.
                paused = true;
                awaitingTarget = true;
                updateAutoRead();
                return;
            }
            int action = policy.classify(type);
            if (action == FramePolicy.FORWARD) {
                policy.forwarded(type);
                if (readable >= frameSize) {
                    buf.skipBytes((int) frameSize);
                } else {
                    buf.skipBytes(readable);
                    passthroughRemaining = frameSize - readable;
                }
                continue;
            }
            if (length > maxMessageSize) {
                violation("message of type '" + printable(type) + "' is " + length
                        + " bytes, over the limit of " + maxMessageSize);
                return;
            }
            if (readable < frameSize) {
                awaitedFrameSize = (int) frameSize;
                break;
            }
            awaitedFrameSize = 0;
            if (action == FramePolicy.PEEK) {
                policy.peek(type, buf.slice(index, (int) frameSize));
                if (cumulation != buf) {
                    return; // the policy ended the session, which stopped the relay
                }
                buf.skipBytes((int) frameSize);
                continue;
            }
            if (action == FramePolicy.REWRITE) {
                ByteBuf replacement = policy.rewrite(type, buf.slice(index, (int) frameSize));
                if (cumulation != buf || stopped) {
                    if (replacement != null) {
                        replacement.release();
                    }
                    return; // the policy ended the session, which stopped the relay
                }
                if (replacement == null) {
                    buf.skipBytes((int) frameSize);
                    continue;
                }
                flushRun();
                buf.skipBytes((int) frameSize);
                runStart = buf.readerIndex();
                write(replacement);
                continue;
            }
            flushRun();
            ByteBuf frame = buf.retainedSlice(index, (int) frameSize);
            buf.skipBytes((int) frameSize);
            runStart = buf.readerIndex();
            if (!policy.handle(type, frame, this)) {
                paused = true;
                updateAutoRead();
            }
            if (cumulation != buf) {
                return; // the policy stopped the relay
            }
        }
        flushRun();
    }

    private void flushRun() {
        if (cumulation == null) {
            return;
        }
        int end = cumulation.readerIndex();
        if (end > runStart) {
            write(cumulation.retainedSlice(runStart, end - runStart));
        }
        runStart = end;
    }

    private void flushOut() {
        if (wrote) {
            wrote = false;
            out.flush();
        }
    }

    private void violation(String message) {
        stopped = true;
        releaseCumulation();
        policy.violation(message);
    }

    private void releaseCumulation() {
        if (cumulation != null) {
            cumulation.release();
            cumulation = null;
        }
    }

    private static String printable(byte type) {
        return type >= 0x20 && type < 0x7F ? String.valueOf((char) type) : String.format("\\x%02x", type & 0xFF);
    }
}
