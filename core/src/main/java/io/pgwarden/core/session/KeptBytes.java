package io.pgwarden.core.session;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;

/**
 * A copy of part of a client's or server's message, kept to tell whether a later message repeats it, so that a
 * repeated one is compared instead of decoded again: a driver's Parse of the same text ({@link PortalSources}), a
 * CommandComplete with the same tag ({@link CommandTags}).
 */
final class KeptBytes {

    private final ByteBuf bytes;

    private KeptBytes(ByteBuf bytes) {
        this.bytes = bytes;
    }

    /**
     * Copies bytes out of a buffer, leaving its indexes alone.
     *
     * @param buf the buffer
     * @param index the first byte
     * @param length how many
     * @return the copy
     */
    static KeptBytes copyOf(ByteBuf buf, int index, int length) {
        return new KeptBytes(Unpooled.wrappedBuffer(ByteBufUtil.getBytes(buf, index, length)));
    }

    /**
     * Whether bytes of a buffer are the kept ones.
     *
     * @param buf the buffer
     * @param index the first byte
     * @param length how many
     * @return true when they are the same bytes, as many
     */
    boolean matches(ByteBuf buf, int index, int length) {
        return bytes.readableBytes() == length && ByteBufUtil.equals(buf, index, bytes, 0, length);
    }
}
