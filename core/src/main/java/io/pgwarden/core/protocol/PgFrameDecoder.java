package io.pgwarden.core.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;

/**
 * Splits a byte stream of typed messages (type byte, Int32 length including itself, body) into
 * {@link Frame}s whose payload is a retained slice of the received bytes.
 *
 * <p>The length is checked from the 5-byte header before the body is waited for, so a peer that
 * announces a huge message is refused before anything is buffered for it. After a bad length the
 * stream cannot be re-synchronized: the decoder throws one {@link ProtocolException} (which reaches
 * {@code exceptionCaught} unwrapped) and discards everything it receives afterwards.
 */
public final class PgFrameDecoder extends ByteToMessageDecoder {

    /** Type byte plus Int32 length. */
    public static final int HEADER_SIZE = 5;

    private int maxMessageSize;
    private boolean failed;

    /**
     * @param maxMessageSize the largest accepted value of the length field (which counts itself but
     *     not the type byte); at least 4
     */
    public PgFrameDecoder(int maxMessageSize) {
        if (maxMessageSize < 4) {
            throw new IllegalArgumentException("maxMessageSize must be at least 4: " + maxMessageSize);
        }
        this.maxMessageSize = maxMessageSize;
    }

    /** The largest accepted value of the length field now. */
    public int maxMessageSize() {
        return maxMessageSize;
    }

    /**
     * Changes the largest accepted value of the length field, from the next frame whose header is
     * checked on: the authentication phase lowers it while it waits for a SASL answer, as
     * PostgreSQL reads those with a limit of its own.
     *
     * @param maxMessageSize at least 4
     */
    public void maxMessageSize(int maxMessageSize) {
        if (maxMessageSize < 4) {
            throw new IllegalArgumentException("maxMessageSize must be at least 4: " + maxMessageSize);
        }
        this.maxMessageSize = maxMessageSize;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (failed) {
            in.skipBytes(in.readableBytes());
            return;
        }
        if (in.readableBytes() < HEADER_SIZE) {
            return;
        }
        int start = in.readerIndex();
        byte type = in.getByte(start);
        int length = in.getInt(start + 1);
        if (length < 4 || length > maxMessageSize) {
            failed = true;
            in.skipBytes(in.readableBytes());
            throw new ProtocolException("invalid message length " + Integer.toUnsignedLong(length)
                    + " for message type " + MessageType.printable(type)
                    + " (allowed 4 to " + maxMessageSize + ")");
        }
        if (in.readableBytes() < 1 + length) {
            return;
        }
        in.skipBytes(HEADER_SIZE);
        out.add(new Frame(type, in.readRetainedSlice(length - 4)));
    }
}
