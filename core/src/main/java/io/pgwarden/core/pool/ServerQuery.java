package io.pgwarden.core.pool;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.pgwarden.core.protocol.Frame;
import io.pgwarden.core.protocol.MessageType;
import io.pgwarden.core.protocol.PgFrameDecoder;
import io.pgwarden.core.protocol.backend.ErrorResponse;
import io.pgwarden.core.protocol.backend.ParameterStatus;
import io.pgwarden.core.protocol.frontend.Query;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Runs one simple Query of the proxy's own on a server no client is attached to (settings,
 * session initialization, reset, health check) and reads the answer up to ReadyForQuery. The
 * server's ParameterStatus messages update what the pool knows of it; nothing reaches a client.
 */
public final class ServerQuery {

    private static final String DECODER = "pgwarden-query-frames";
    private static final String HANDLER = "pgwarden-query";

    /**
     * The outcome of a query the server answered.
     *
     * @param error the first error, or null when every statement succeeded
     * @param status the transaction status of the final ReadyForQuery
     */
    public record Result(ErrorResponse error, char status) {
    }

    private ServerQuery() {
    }

    /**
     * Sends the query and reads the answer; must be called on the server channel's event loop with
     * no other inbound handler of the proxy in the pipeline.
     *
     * @param server the server
     * @param sql one or more statements
     * @param maxMessageSize the largest answer message accepted
     * @return the result; fails when the server closes or breaks the protocol
     */
    public static CompletionStage<Result> run(PooledServer server, String sql, int maxMessageSize) {
        CompletableFuture<Result> done = new CompletableFuture<>();
        Channel channel = server.channel();
        if (!channel.isActive()) {
            done.completeExceptionally(new IllegalStateException("the server closed the connection"));
            return done;
        }
        // Before the idle watcher, which would take the answer for an unexpected message.
        channel.pipeline().addBefore(IdleServerHandler.NAME, DECODER, new PgFrameDecoder(maxMessageSize));
        channel.pipeline().addBefore(IdleServerHandler.NAME, HANDLER, new Answer(server, done));
        ByteBuf query = channel.alloc().buffer(sql.length() + 16);
        new Query(sql).encode(query);
        channel.writeAndFlush(query, channel.voidPromise());
        channel.config().setAutoRead(true);
        return done;
    }

    /** Reads the answer up to ReadyForQuery, then leaves the pipeline. */
    private static final class Answer extends ChannelInboundHandlerAdapter {
        private final PooledServer server;
        private final CompletableFuture<Result> done;
        private ErrorResponse error;

        Answer(PooledServer server, CompletableFuture<Result> done) {
            this.server = server;
            this.done = done;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (!(msg instanceof Frame frame)) {
                io.netty.util.ReferenceCountUtil.release(msg);
                return;
            }
            try {
                if (done.isDone()) {
                    return;
                }
                switch (frame.type()) {
                    case MessageType.ERROR_RESPONSE -> {
                        ErrorResponse response = ErrorResponse.decode(frame.payload());
                        if (error == null) {
                            error = response;
                        }
                        if ("FATAL".equals(response.severity()) || "PANIC".equals(response.severity())) {
                            finish(ctx);
                            done.completeExceptionally(new IllegalStateException(response.message()));
                        }
                    }
                    case MessageType.PARAMETER_STATUS -> {
                        ParameterStatus status = ParameterStatus.decode(frame.payload());
                        server.reported().put(status.name(), status.value());
                    }
                    case MessageType.READY_FOR_QUERY -> {
                        char status = (char) frame.payload().getByte(frame.payload().readerIndex());
                        finish(ctx);
                        done.complete(new Result(error, status));
                    }
                    default -> {
                        // CommandComplete, notices, rows of a check query: nothing to keep.
                    }
                }
            } catch (RuntimeException e) {
                finish(ctx);
                done.completeExceptionally(e);
            } finally {
                frame.release();
            }
        }

        /** Leaves the pipeline; reading stays on, later bytes go to the relay or the idle watcher behind. */
        private static void finish(ChannelHandlerContext ctx) {
            if (ctx.pipeline().get(DECODER) != null) {
                ctx.pipeline().remove(DECODER);
            }
            if (ctx.pipeline().get(HANDLER) != null) {
                ctx.pipeline().remove(HANDLER);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            done.completeExceptionally(new IllegalStateException("the server closed the connection"));
            ctx.fireChannelInactive();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            done.completeExceptionally(cause);
            ctx.close();
        }
    }
}
