package io.pgwarden.core.session;

import io.netty.buffer.ByteBuf;
import io.pgwarden.core.protocol.backend.CommandComplete;

/**
 * The command tags of a session's CommandCompletes, for onComplete. A statement run again ends with the same bytes
 * ({@code SELECT 1}), so the last tag is kept with its bytes and given again when they repeat, instead of being
 * decoded again. Used by one event loop.
 */
final class CommandTags {

    /** Longer tags are decoded each time. */
    static final int MAX_KEPT = 64;

    /** The last decoded CommandComplete body, its terminator included, or null. */
    private KeptBytes lastBody;
    private String last;

    /**
     * The tag of a CommandComplete.
     *
     * @param payload the message after its type and length; its reader index is left where it was
     * @return the tag
     * @throws io.pgwarden.core.protocol.ProtocolException when the message is malformed
     */
    String tag(ByteBuf payload) {
        int start = payload.readerIndex();
        int length = payload.readableBytes();
        if (lastBody != null && lastBody.matches(payload, start, length)) {
            return last;
        }
        String tag = CommandComplete.decode(payload.duplicate()).tag();
        if (length <= MAX_KEPT) {
            lastBody = KeptBytes.copyOf(payload, start, length);
            last = tag;
        }
        return tag;
    }
}
