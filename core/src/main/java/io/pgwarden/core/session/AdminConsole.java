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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin console of an authenticated admin session: answers SHOW commands of the simple query
 * protocol from the proxy's own state, never from a server, and RELOAD ({@link ConsoleReload}).
 * Anything else gets an error and the session stays usable; Terminate ends it.
 */
final class AdminConsole extends SimpleChannelInboundHandler<Frame> {

    /** The handler's name in the pipeline. */
    static final String NAME = "admin-console";

    private static final Logger LOG = LoggerFactory.getLogger(AdminConsole.class);

    private final ClientSession session;
    private final ConsoleReload reload;
    /** After an unsupported extended-protocol message, messages are skipped up to the next Sync, as PostgreSQL does after an error. */
    private boolean skipToSync;

    /**
     * A console for one session.
     *
     * @param session the authenticated admin session
     */
    AdminConsole(ClientSession session) {
        this.session = session;
        this.reload = new ConsoleReload(session);
    }

    /** Answers one client message. */
    @Override
    protected void channelRead0(ChannelHandlerContext ctx, Frame frame) {
        if (reload.holds(frame)) {
            return;
        }
        byte type = frame.type();
        if (type == MessageType.TERMINATE) {
            session.terminate();
            return;
        }
        if (type != MessageType.QUERY && type != MessageType.SYNC && (skipToSync || type == MessageType.FLUSH)) {
            return;
        }
        ByteBuf out = ctx.alloc().buffer(256);
        try {
            if (type == MessageType.QUERY) {
                skipToSync = false;
                String sql = Query.decode(frame.payload()).sql();
                if (ConsoleCommand.parse(sql) == ConsoleCommand.RELOAD) {
                    out.release();
                    reload.start(ctx, this);
                    return;
                }
                answer(sql, out);
                ReadyForQuery.IDLE_INSTANCE.encode(out);
            } else if (type == MessageType.SYNC) {
                skipToSync = false;
                ReadyForQuery.IDLE_INSTANCE.encode(out);
            } else {
                skipToSync = true;
                ErrorResponse.error("0A000", ConsoleCommand.SUPPORTED).encode(out);
            }
        } catch (RuntimeException e) {
            out.release();
            throw e;
        }
        ctx.writeAndFlush(out, ctx.voidPromise());
    }

    private void answer(String sql, ByteBuf out) {
        ConsoleCommand command = ConsoleCommand.parse(sql);
        LOG.info("[{}] admin console: {}", session.id(), command);
        switch (command) {
            case VERSION -> ConsoleTable.version(CoreVersion.get()).encode(out);
            case POOLS -> pools().encode(out);
            case CLIENTS -> ConsoleTable.clients(session.runtime().sessions().sessions().stream().map(ClientSession::asConsoleClient)
                    .toList()).encode(out);
            default -> ErrorResponse.error("0A000", ConsoleCommand.SUPPORTED).encode(out);
        }
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

    /** The session ended during a reload: the messages held for after it are released. */
    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        reload.discardHeld();
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
