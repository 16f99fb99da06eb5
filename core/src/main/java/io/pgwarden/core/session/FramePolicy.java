package io.pgwarden.core.session;

import io.netty.buffer.ByteBuf;

/**
 * What one direction of a relay does with each message type. Most types are forwarded inside
 * runs without being looked at; a few are peeked at in place; only those that may be changed
 * are taken out of the stream and handled alone.
 */
interface FramePolicy {

    /** Forward as part of a run; never buffered whole, so any size streams through. */
    int FORWARD = 0;
    /** Look at in place, then forward as part of a run; buffered whole (bounded by the limit). */
    int PEEK = 1;
    /** Take out of the stream and hand to {@link #handle}; buffered whole (bounded by the limit). */
    int INSPECT = 2;
    /**
     * Look at in place; {@link #rewrite} either keeps it in the run or gives the bytes to send
     * instead; buffered whole (bounded by the limit).
     */
    int REWRITE = 3;

    /**
     * Classifies a message type.
     *
     * @param type the type byte
     * @return {@link #FORWARD}, {@link #PEEK} or {@link #INSPECT}
     */
    int classify(byte type);

    /**
     * Tells the policy that a frame of this type is being forwarded, once per frame, when its
     * header is read; the body may not have arrived yet. For counting without buffering.
     *
     * @param type the type byte
     */
    void forwarded(byte type);

    /**
     * Looks at a whole frame that stays in the stream.
     *
     * @param type the type byte
     * @param frame the whole frame (type, length, body), valid during the call
     */
    void peek(byte type, ByteBuf frame);

    /**
     * Handles a frame taken out of the stream. The policy owns the frame and must release it or
     * pass it on through {@link RelayHandler#write}.
     *
     * @param type the type byte
     * @param frame the whole frame, a retained slice
     * @param relay the relay, to write to the other side and to resume
     * @return true to go on with the next frame; false to pause reading until
     *         {@link RelayHandler#resume()} (an asynchronous decision is pending)
     */
    boolean handle(byte type, ByteBuf frame, RelayHandler relay);

    /**
     * Looks at a whole frame and decides what is sent in its place.
     *
     * @param type the type byte
     * @param frame the whole frame, valid during the call (retain a slice to reuse its bytes)
     * @return null to forward the frame unchanged, else the bytes to send instead (released by the write)
     */
    default ByteBuf rewrite(byte type, ByteBuf frame) {
        return null;
    }

    /**
     * No server is attached and a frame of this type arrived: get one.
     *
     * @param type the type byte
     * @param relay the relay, to resume when the server is there
     * @return true to go on at once (a server is attached, or the frame needs none); false to wait
     *         for {@link RelayHandler#resume()}
     */
    default boolean attach(byte type, RelayHandler relay) {
        throw new IllegalStateException("this direction always has a target");
    }

    /**
     * The end of a read burst, after the flush.
     *
     * @param relay the relay
     */
    default void readComplete(RelayHandler relay) {
    }

    /** The channel this direction reads from closed. */
    default void closed() {
    }

    /**
     * The peer broke the protocol (a length field below 4, or over the limit for a frame that
     * must be buffered). The relay stops; the policy ends the session.
     *
     * @param message what was wrong
     */
    void violation(String message);
}
