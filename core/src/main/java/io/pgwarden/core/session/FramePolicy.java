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
     * The peer broke the protocol (a length field below 4, or over the limit for a frame that
     * must be buffered). The relay stops; the policy ends the session.
     *
     * @param message what was wrong
     */
    void violation(String message);
}
