package io.pgwarden.core.session;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.pgwarden.core.admin.CoreVersion;
import io.pgwarden.core.config.AdminConsoleConfig;
import io.pgwarden.core.pool.PoolStats;
import io.pgwarden.core.protocol.Frame;
import io.pgwarden.core.protocol.MessageType;
import io.pgwarden.core.protocol.backend.ErrorResponse;
import io.pgwarden.core.protocol.backend.ReadyForQuery;
import io.pgwarden.core.protocol.frontend.Query;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin console of an authenticated admin session: answers the commands of
 * {@link ConsoleCommand} sent with the simple query protocol from the proxy's own state, never from
 * a server. A command that takes time ({@code PAUSE}, {@code SHOW SERVERS}) is answered when done;
 * messages that arrive meanwhile wait their turn. Anything else gets an error and the session stays
 * usable; Terminate ends it.
 */
final class AdminConsole extends SimpleChannelInboundHandler<Frame> {

    /** The handler's name in the pipeline. */
    static final String NAME = "admin-console";

    private static final Logger LOG = LoggerFactory.getLogger(AdminConsole.class);

    private final ClientSession session;
    private final ConsoleControl control;
    /** Messages that came while a command was being answered, in order; each retained. */
    private final ArrayDeque<Frame> held = new ArrayDeque<>();
    /** After an unsupported extended-protocol message, messages are skipped up to the next Sync, as PostgreSQL does after an error. */
    private boolean skipToSync;
    private boolean busy;
    /** The reply of a SHUTDOWN: the proxy stops once it is written. */
    private ConsoleReply shutdownAfter;

    /**
     * A console for one session.
     *
     * @param session the authenticated admin session
     */
    AdminConsole(ClientSession session) {
        this.session = session;
        this.control = new ConsoleControl(session.runtime(), session.loop(), () -> session.client().isActive());
    }

    /** Answers one client message, or holds it while a command is being answered. */
    @Override
    protected void channelRead0(ChannelHandlerContext ctx, Frame frame) {
        if (busy) {
            held.add(frame.retain());
            return;
        }
        handle(ctx, frame);
    }

    private void handle(ChannelHandlerContext ctx, Frame frame) {
        byte type = frame.type();
        if (type == MessageType.TERMINATE) {
            session.terminate();
            return;
        }
        if (type != MessageType.QUERY && type != MessageType.SYNC && (skipToSync || type == MessageType.FLUSH)) {
            return;
        }
        if (type == MessageType.QUERY) {
            skipToSync = false;
            String sql = Query.decode(frame.payload()).sql();
            CompletableFuture<ConsoleReply> reply = answer(sql).toCompletableFuture();
            if (reply.isDone()) {
                send(ctx, reply);
            } else {
                busy = true;
                ctx.channel().config().setAutoRead(false);
                reply.whenComplete((done, error) -> ctx.executor().execute(() -> {
                    busy = false;
                    send(ctx, reply);
                    ctx.channel().config().setAutoRead(true);
                    handleHeld(ctx);
                }));
            }
            return;
        }
        ByteBuf out = ctx.alloc().buffer(64);
        if (type == MessageType.SYNC) {
            skipToSync = false;
            ReadyForQuery.IDLE_INSTANCE.encode(out);
        } else {
            // PostgreSQL answers ReadyForQuery only at the Sync that ends the failed extended-protocol turn.
            skipToSync = true;
            ErrorResponse.error("0A000", "the pgwarden admin console takes only the simple query protocol; it supports "
                    + ConsoleCommand.SUPPORTED).encode(out);
        }
        ctx.writeAndFlush(out, ctx.voidPromise());
    }

    /** Writes a finished command's reply and ReadyForQuery. */
    private void send(ChannelHandlerContext ctx, CompletableFuture<ConsoleReply> reply) {
        if (!ctx.channel().isActive()) {
            return;
        }
        ConsoleReply answer;
        try {
            answer = reply.join();
        } catch (RuntimeException e) {
            LOG.error("[{}] admin console command failed", session.id(), e);
            answer = ConsoleReply.error("XX000", "internal error: " + e.getMessage());
        }
        ByteBuf out = ctx.alloc().buffer(256);
        try {
            answer.encode(out);
            ReadyForQuery.IDLE_INSTANCE.encode(out);
        } catch (RuntimeException e) {
            out.release();
            throw e;
        }
        if (shutdownAfter == answer) {
            ctx.writeAndFlush(out).addListener(written -> session.runtime().shutdown().run());
        } else {
            ctx.writeAndFlush(out, ctx.voidPromise());
        }
    }

    private void handleHeld(ChannelHandlerContext ctx) {
        Frame next;
        while (!busy && (next = held.poll()) != null) {
            try {
                handle(ctx, next);
            } catch (RuntimeException e) {
                exceptionCaught(ctx, e);
            } finally {
                next.release();
            }
        }
    }

    private CompletionStage<ConsoleReply> answer(String sql) {
        ConsoleCommand command;
        try {
            command = ConsoleCommand.parse(sql);
        } catch (IllegalArgumentException e) {
            LOG.info("[{}] admin console: refused command: {}", session.id(), e.getMessage());
            return CompletableFuture.completedFuture(ConsoleReply.error("42601", e.getMessage()));
        }
        LOG.info("[{}] admin console: {}", session.id(), command);
        ProxyRuntime runtime = session.runtime();
        return switch (command.verb()) {
            case SHOW_VERSION -> done(ConsoleTable.version(CoreVersion.get()));
            case SHOW_POOLS -> done(pools());
            case SHOW_CLIENTS -> done(ConsoleTable.clients(runtime.sessions().sessions().stream().map(ClientSession::asConsoleClient)
                    .toList()));
            case SHOW_SERVERS -> ConsoleServers.table(runtime).thenApply(table -> table);
            case SHOW_STATS -> done(ConsoleStats.table(runtime.pools().traffic()));
            case SHOW_CONFIG -> done(ConsoleSettings.table(runtime.latest().get().config()));
            case SHOW_PLUGINS -> done(ConsolePlugins.table(runtime.latest().get().chain()));
            case PAUSE -> control.pause(command.database());
            case RESUME -> done(control.resume(command.database()));
            case KILL -> done(control.kill(command.database()));
            case RELOAD -> ConsoleReload.run(runtime.reloader(), session.id());
            case SHUTDOWN -> {
                shutdownAfter = ConsoleReply.done("SHUTDOWN");
                yield done(shutdownAfter);
            }
        };
    }

    private static CompletionStage<ConsoleReply> done(ConsoleReply reply) {
        return CompletableFuture.completedFuture(reply);
    }

    private ConsoleTable pools() {
        List<PoolStats> pools = session.runtime().pools().stats();
        List<ConsoleTable.PoolKeyName> held = new ArrayList<>();
        for (ClientSession other : session.runtime().sessions().sessions()) {
            ServerAttachment attachment = other.attachment();
            if (attachment != null) {
                held.add(ConsoleTable.PoolKeyName.of(attachment.poolKey()));
            }
        }
        Map<ConsoleTable.PoolKeyName, Long> sessions = held.stream().collect(Collectors.groupingBy(Function.identity(),
                Collectors.counting()));
        return ConsoleTable.pools(pools, sessions);
    }

    /** Releases the messages still held when the session ends. */
    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        held.forEach(Frame::release);
        held.clear();
    }

    /** A malformed message ends the session as a protocol violation. */
    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        session.clientViolation("invalid message: " + cause.getMessage());
    }

    /**
     * Whether the console answers a session that asked for this database.
     *
     * @param config the console's configuration
     * @param database the startup database
     * @return true when the console is on and the database is {@code pgwarden}
     */
    static boolean isConsoleDatabase(AdminConsoleConfig config, String database) {
        return config.enabled() && AdminConsoleConfig.DATABASE.equals(database);
    }
}
