package io.pgwarden.core.frontend;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DuplexChannel;
import io.netty.util.ReferenceCountUtil;
import io.pgwarden.core.protocol.backend.ErrorResponse;
import java.util.concurrent.TimeUnit;

/**
 * Ends a client connection the way PostgreSQL does: a FATAL ErrorResponse, then close. Every
 * refusal a client can meet goes through here, so none is a silent close.
 *
 * <p>The close lingers: after the error the proxy shuts down its sending side and discards what
 * the client still sends, until the client closes or {@link #LINGER_MILLIS} pass. Closing a socket
 * that holds unread input makes the kernel send a reset, which can destroy the error before the
 * client reads it; a client that sent a query just as the proxy decided to end its session would
 * then see "connection reset" instead of the reason.
 */
public final class FatalReply {

    static final long LINGER_MILLIS = 2000;
    private static final String DISCARD = "fatal-discard";

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
        if (!channel.isActive() || channel.pipeline().get(DISCARD) != null) {
            return;
        }
        discardInput(channel);
        ByteBuf out = channel.alloc().buffer();
        error.encode(out);
        channel.writeAndFlush(out).addListener(written -> linger(channel));
    }

    /**
     * Ends the connection of a client that already has its error (the server's own FATAL, relayed),
     * with the same lingering close and without a second error.
     *
     * @param channel the client channel
     */
    public static void closeQuietly(Channel channel) {
        if (!channel.isActive() || channel.pipeline().get(DISCARD) != null) {
            return;
        }
        discardInput(channel);
        channel.writeAndFlush(io.netty.buffer.Unpooled.EMPTY_BUFFER).addListener(written -> linger(channel));
    }

    /** From now on the client's bytes go nowhere: not to a relay, not to a decoder. */
    private static void discardInput(Channel channel) {
        Discard discard = new Discard();
        if (channel.pipeline().get("tls") != null) {
            channel.pipeline().addAfter("tls", DISCARD, discard);
        } else {
            channel.pipeline().addFirst(DISCARD, discard);
        }
        channel.config().setAutoRead(true);
    }

    private static void linger(Channel channel) {
        if (!channel.isActive()) {
            return;
        }
        channel.eventLoop().schedule(() -> channel.close(), LINGER_MILLIS, TimeUnit.MILLISECONDS);
        if (channel instanceof DuplexChannel duplex && channel.pipeline().get("tls") == null) {
            ChannelFuture shutdown = duplex.shutdownOutput();
            shutdown.addListener(done -> {
                if (!done.isSuccess()) {
                    channel.close();
                }
            });
        }
        // Under TLS there is no half-close: the client closes after reading the error, or the timer does.
    }

    /**
     * Whether a FATAL was sent on this channel and its close is lingering.
     *
     * @param channel the client channel
     * @return true after {@link #send}
     */
    public static boolean lingering(Channel channel) {
        return channel.pipeline().get(DISCARD) != null;
    }

    /** Drops everything the client sends after its FATAL; closes when the client closes. */
    private static final class Discard extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ReferenceCountUtil.release(msg);
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
            if (event instanceof io.netty.channel.socket.ChannelInputShutdownEvent) {
                ctx.close();
            }
            ReferenceCountUtil.release(event);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
