package io.pgwarden.core.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;

/**
 * Splits the untyped packets a client sends before its StartupMessage is accepted (SSLRequest,
 * GSSENCRequest, CancelRequest, StartupMessage: Int32 length including itself, then the body) and
 * emits each body as a retained {@link ByteBuf} slice, to be given to
 * {@link io.pgwarden.core.protocol.frontend.StartupPacket#decode(ByteBuf)} and released.
 *
 * <p>The length is checked before the body is waited for: below 8 or above the maximum the
 * decoder throws one {@link ProtocolException} and discards all further input. It emits at most one
 * packet per read ({@code singleDecode}), so that bytes a client pipelines after an SSLRequest stay
 * in this decoder, where {@link #hasBufferedInput()} exposes them: PostgreSQL refuses such bytes
 * (CVE-2021-23214) because they would be read as if they had come over TLS.
 */
public final class StartupPacketDecoder extends ByteToMessageDecoder {

    /** The smallest packet: a length and a request code. */
    public static final int MIN_PACKET_SIZE = 8;

    private final int maxStartupPacketSize;
    private boolean failed;

    /**
     * @param maxStartupPacketSize the largest accepted value of the length field; PostgreSQL uses
     *     10000
     */
    public StartupPacketDecoder(int maxStartupPacketSize) {
        if (maxStartupPacketSize < MIN_PACKET_SIZE) {
            throw new IllegalArgumentException(
                    "maxStartupPacketSize must be at least 8: " + maxStartupPacketSize);
        }
        this.maxStartupPacketSize = maxStartupPacketSize;
        setSingleDecode(true);
    }

    /** Whether bytes received after the last emitted packet are waiting in this decoder. */
    public boolean hasBufferedInput() {
        return actualReadableBytes() > 0;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (failed) {
            in.skipBytes(in.readableBytes());
            return;
        }
        if (in.readableBytes() < 4) {
            return;
        }
        int length = in.getInt(in.readerIndex());
        if (length < MIN_PACKET_SIZE || length > maxStartupPacketSize) {
            failed = true;
            in.skipBytes(in.readableBytes());
            throw new ProtocolException("invalid length of startup packet: "
                    + Integer.toUnsignedLong(length) + " (allowed 8 to " + maxStartupPacketSize + ")");
        }
        if (in.readableBytes() < length) {
            return;
        }
        in.skipBytes(4);
        out.add(in.readRetainedSlice(length - 4));
    }
}
