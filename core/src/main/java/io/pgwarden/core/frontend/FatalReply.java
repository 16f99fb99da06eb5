package io.pgwarden.core.frontend;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.pgwarden.core.protocol.backend.ErrorResponse;

/**
 * Ends a client connection the way PostgreSQL does: a FATAL ErrorResponse, then close. Every
 * refusal a client can meet goes through here, so none is a silent close.
 */
public final class FatalReply {

    private FatalReply() {
    }

    /**
     * Sends FATAL with the SQLSTATE and message, then closes the channel.
     *
     * @param channel the client channel
     * @param sqlState the SQLSTATE
     * @param message the message
     */
    public static void send(Channel channel, String sqlState, String message) {
        send(channel, ErrorResponse.fatal(sqlState, message));
    }

    /**
     * Sends the error, then closes the channel.
     *
     * @param channel the client channel
     * @param error the error, normally FATAL
     */
    public static void send(Channel channel, ErrorResponse error) {
        if (!channel.isActive()) {
            return;
        }
        ByteBuf out = channel.alloc().buffer();
        error.encode(out);
        channel.writeAndFlush(out).addListener(ChannelFutureListener.CLOSE);
    }
}
