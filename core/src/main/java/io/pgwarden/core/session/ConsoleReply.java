package io.pgwarden.core.session;

import io.netty.buffer.ByteBuf;
import io.pgwarden.core.protocol.backend.CommandComplete;
import io.pgwarden.core.protocol.backend.ErrorResponse;

/** What the admin console answers to one command, ReadyForQuery aside: a table, a command tag or an error. */
@FunctionalInterface
interface ConsoleReply {

    /**
     * Appends the reply's messages.
     *
     * @param out the buffer
     */
    void encode(ByteBuf out);

    /**
     * CommandComplete with a tag, for a command without rows.
     *
     * @param tag the tag, e.g. {@code PAUSE}
     * @return the reply
     */
    static ConsoleReply done(String tag) {
        return out -> new CommandComplete(tag).encode(out);
    }

    /**
     * An ErrorResponse of severity ERROR: the session goes on.
     *
     * @param sqlState the SQLSTATE
     * @param message the message
     * @return the reply
     */
    static ConsoleReply error(String sqlState, String message) {
        return out -> ErrorResponse.error(sqlState, message).encode(out);
    }
}
