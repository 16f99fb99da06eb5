package io.pgwarden.it.backend;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.pgwarden.core.backend.ServerConnection;
import io.pgwarden.core.protocol.Frame;
import io.pgwarden.core.protocol.MessageType;
import io.pgwarden.core.protocol.PgFrameDecoder;
import io.pgwarden.core.protocol.backend.DataRow;
import io.pgwarden.core.protocol.backend.ErrorResponse;
import io.pgwarden.core.protocol.frontend.Query;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The tiny handler a test adds to a {@link ServerConnection}'s channel, the way the relay will: it
 * runs simple queries and collects their rows as text, or the server's error.
 */
final class QueryProbe extends ChannelInboundHandlerAdapter {

    /** A query's rows, or the server's ErrorResponse for it. */
    record Result(List<List<String>> rows, ErrorResponse error) {
        String single() {
            if (error != null) {
                throw new AssertionError("query failed: " + error.sqlState() + " " + error.message());
            }
            return rows.get(0).get(0);
        }
    }

    private final List<List<String>> rows = new ArrayList<>();
    private ErrorResponse error;
    private CompletableFuture<Result> pending;

    /** Adds the probe (and a frame decoder) after the connector's handlers and starts reading. */
    static QueryProbe attach(ServerConnection connection) {
        QueryProbe probe = new QueryProbe();
        Channel channel = connection.channel();
        try {
            channel.eventLoop().submit(() -> {
                channel.pipeline().addLast(new PgFrameDecoder(1 << 20), probe);
                channel.config().setAutoRead(true);
            }).get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        return probe;
    }

    /** Sends a simple query and waits for its ReadyForQuery. */
    Result query(Channel channel, String sql) {
        CompletableFuture<Result> future = send(channel, sql);
        try {
            return future.get(20, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("query " + sql + " did not complete", e);
        }
    }

    CompletableFuture<Result> send(Channel channel, String sql) {
        CompletableFuture<Result> future = new CompletableFuture<>();
        channel.eventLoop().execute(() -> {
            pending = future;
            rows.clear();
            error = null;
            ByteBuf out = channel.alloc().buffer();
            new Query(sql).encode(out);
            channel.writeAndFlush(out);
        });
        return future;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        Frame frame = (Frame) msg;
        try {
            switch (frame.type()) {
                case MessageType.DATA_ROW -> {
                    List<String> row = new ArrayList<>();
                    for (byte[] value : DataRow.decode(frame.payload()).values()) {
                        row.add(value == null ? null : new String(value, StandardCharsets.UTF_8));
                    }
                    rows.add(row);
                }
                case MessageType.ERROR_RESPONSE -> error = ErrorResponse.decode(frame.payload());
                case MessageType.READY_FOR_QUERY -> {
                    if (pending != null) {
                        pending.complete(new Result(List.copyOf(rows), error));
                        pending = null;
                    }
                }
                default -> {
                }
            }
        } finally {
            frame.release();
        }
    }
}
