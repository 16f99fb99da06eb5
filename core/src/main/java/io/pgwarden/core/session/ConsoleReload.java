package io.pgwarden.core.session;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.pgwarden.core.config.ReloadOutcome;
import io.pgwarden.core.protocol.Frame;
import io.pgwarden.core.protocol.backend.CommandComplete;
import io.pgwarden.core.protocol.backend.ErrorResponse;
import io.pgwarden.core.protocol.backend.NoticeResponse;
import io.pgwarden.core.protocol.backend.ReadyForQuery;
import java.util.ArrayDeque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin console's {@code RELOAD}: the reload runs off the event loop; meanwhile the session reads
 * nothing more, and messages already decoded wait, so that replies keep the order of the requests.
 * Success is CommandComplete {@code RELOAD} (after a warning when changed settings need a restart); an
 * invalid file is an error {@code F0000} (config_file_error) listing the problems, and the session goes on.
 * Event-loop confined.
 */
final class ConsoleReload {

    /** PostgreSQL's config_file_error. */
    static final String CONFIG_FILE_ERROR = "F0000";

    private static final Logger LOG = LoggerFactory.getLogger(ConsoleReload.class);

    private final ClientSession session;
    /** Messages that arrived during the reload; null while none runs. */
    private ArrayDeque<Frame> held;

    ConsoleReload(ClientSession session) {
        this.session = session;
    }

    /** Keeps a message for later while a reload runs; false when none runs. */
    boolean holds(Frame frame) {
        if (held == null) {
            return false;
        }
        held.add(frame.retain());
        return true;
    }

    /** Starts the reload; the console's reply follows when it has ended. */
    void start(ChannelHandlerContext ctx, AdminConsole console) {
        LOG.info("[{}] admin console: RELOAD", session.id());
        held = new ArrayDeque<>();
        ctx.channel().config().setAutoRead(false);
        session.runtime().reloader().reload("admin console, session " + session.id())
                .whenComplete((outcome, error) -> ctx.executor().execute(() -> finish(ctx, console, outcome, error)));
    }

    private void finish(ChannelHandlerContext ctx, AdminConsole console, ReloadOutcome outcome, Throwable error) {
        if (!ctx.channel().isActive()) {
            discardHeld();
            return;
        }
        ByteBuf out = ctx.alloc().buffer(256);
        reply(outcome, error, out);
        ReadyForQuery.IDLE_INSTANCE.encode(out);
        ctx.writeAndFlush(out, ctx.voidPromise());
        ArrayDeque<Frame> pending = held;
        held = null;
        ctx.channel().config().setAutoRead(true);
        Frame frame;
        while ((frame = pending.poll()) != null) {
            try {
                console.channelRead(ctx, frame);
            } catch (Exception e) {
                console.exceptionCaught(ctx, e);
            }
        }
    }

    /** Encodes the reply to RELOAD. */
    static void reply(ReloadOutcome outcome, Throwable error, ByteBuf out) {
        if (outcome instanceof ReloadOutcome.Applied applied) {
            if (!applied.needsRestart().isEmpty()) {
                NoticeResponse.warning("01000", "changed settings that need a restart keep their running value: "
                        + String.join(", ", applied.needsRestart())).encode(out);
            }
            new CommandComplete("RELOAD").encode(out);
        } else if (outcome instanceof ReloadOutcome.Rejected rejected) {
            ErrorResponse.error(CONFIG_FILE_ERROR, "the configuration file has problems; nothing was reloaded: "
                    + String.join("; ", rejected.problems())).encode(out);
        } else {
            LOG.error("the configuration reload failed", error);
            ErrorResponse.error("XX000", "the configuration reload failed; the log has the details").encode(out);
        }
    }

    /** Releases the messages still held (the session ended during a reload). */
    void discardHeld() {
        if (held != null) {
            held.forEach(Frame::release);
            held = null;
        }
    }
}
