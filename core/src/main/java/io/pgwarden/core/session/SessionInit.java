package io.pgwarden.core.session;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.pgwarden.core.backend.ServerConnection;
import io.pgwarden.core.protocol.Frame;
import io.pgwarden.core.protocol.MessageType;
import io.pgwarden.core.protocol.PgFrameDecoder;
import io.pgwarden.core.protocol.backend.ErrorResponse;
import io.pgwarden.core.protocol.frontend.Query;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Runs a login's session initialization statements ({@code SET ROLE}, identity settings) on a
 * fresh server connection before the client gets it, as one simple Query.
 */
final class SessionInit {

    /** The pipeline name of the handler that reads the answer; see {@link #handOver}. */
    static final String HANDLER = "init";

    private SessionInit() {
    }

    /**
     * Removes the initialization handlers from a server channel whose relay handler was just
     * added behind them. Messages the server sent after its ReadyForQuery, in the same read, go
     * to the relay in order, and so do the bytes the decoder had not framed yet.
     *
     * @param channel the server channel
     */
    static void handOver(Channel channel) {
        if (channel.pipeline().get(HANDLER) instanceof Answer answer) {
            ChannelHandlerContext ctx = channel.pipeline().context(answer);
            for (Frame frame : answer.backlog) {
                ctx.fireChannelRead(FrameWire.of(frame, ctx.alloc()));
                frame.release();
            }
            answer.backlog.clear();
            channel.pipeline().remove(answer);
            channel.pipeline().remove("init-frames");
        }
    }

    static CompletionStage<Void> run(ServerConnection server, List<String> statements, int maxMessageSize) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        Channel channel = server.channel();
        channel.pipeline().addLast("init-frames", new PgFrameDecoder(maxMessageSize));
        channel.pipeline().addLast(HANDLER, new Answer(done));
        ByteBuf query = channel.alloc().buffer();
        new Query(String.join(";\n", statements)).encode(query);
        channel.writeAndFlush(query);
        channel.config().setAutoRead(true);
        return done;
    }

    /** Reads the answer to the statements up to ReadyForQuery, then leaves the pipeline. */
    private static final class Answer extends ChannelInboundHandlerAdapter {
        private final CompletableFuture<Void> done;
        private final List<Frame> backlog = new java.util.ArrayList<>();
        private String error;
        private boolean answered;

        Answer(CompletableFuture<Void> done) {
            this.done = done;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (!(msg instanceof Frame frame)) {
                ctx.fireChannelRead(msg);
                return;
            }
            if (answered) {
                backlog.add(frame);
                return;
            }
            try {
                if (frame.type() == MessageType.ERROR_RESPONSE && error == null) {
                    error = ErrorResponse.decode(frame.payload()).message();
                } else if (frame.type() == MessageType.READY_FOR_QUERY) {
                    ctx.channel().config().setAutoRead(false);
                    answered = true;
                    if (error == null) {
                        done.complete(null);
                    } else {
                        done.completeExceptionally(new IllegalStateException(error));
                    }
                }
            } finally {
                frame.release();
            }
        }

        @Override
        public void handlerRemoved(ChannelHandlerContext ctx) {
            backlog.forEach(Frame::release);
            backlog.clear();
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
