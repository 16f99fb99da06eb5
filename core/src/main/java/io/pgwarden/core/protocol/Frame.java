package io.pgwarden.core.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.util.ReferenceCounted;
import java.util.Objects;

/**
 * One typed protocol message as it arrived: the type byte and the body after the 4-byte length.
 *
 * <p>The frame owns one reference of {@code payload}; whoever holds the frame last calls
 * {@link #release()}. The reference-counting methods delegate to the payload, so
 * {@code ReferenceCountUtil.release(frame)} works too.
 */
public record Frame(byte type, ByteBuf payload) implements ReferenceCounted {

    public Frame {
        Objects.requireNonNull(payload, "payload");
    }

    @Override
    public int refCnt() {
        return payload.refCnt();
    }

    @Override
    public Frame retain() {
        payload.retain();
        return this;
    }

    @Override
    public Frame retain(int increment) {
        payload.retain(increment);
        return this;
    }

    @Override
    public Frame touch() {
        payload.touch();
        return this;
    }

    @Override
    public Frame touch(Object hint) {
        payload.touch(hint);
        return this;
    }

    @Override
    public boolean release() {
        return payload.release();
    }

    @Override
    public boolean release(int decrement) {
        return payload.release(decrement);
    }

    /** Type name and length only: payloads may hold secrets. */
    @Override
    public String toString() {
        return "Frame[" + MessageType.printable(type) + ", " + payload.readableBytes() + " bytes]";
    }
}
