package io.pgwarden.core.pool;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches a server while it sits in the pool: it has nothing to say until it gets a query, so
 * anything it sends (an administrator's termination notice, say) or its closing removes it from
 * the pool.
 */
final class IdleServerHandler extends ChannelInboundHandlerAdapter {

    static final String NAME = "pgwarden-idle";
    private static final Logger LOG = LoggerFactory.getLogger(IdleServerHandler.class);

    private final PooledServer server;

    IdleServerHandler(PooledServer server) {
        this.server = server;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ReferenceCountUtil.release(msg);
        LOG.info("idle server connection {} sent a message; closing it", server);
        server.pool().discard(server);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        LOG.info("idle server connection {} closed", server);
        server.pool().discard(server);
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.info("idle server connection {} failed: {}", server, cause.toString());
        server.pool().discard(server);
    }
}
