package io.pgwarden.core.session;

import io.netty.buffer.ByteBuf;
import io.pgwarden.core.pool.PinReason;
import io.pgwarden.core.pool.StatementPins;
import io.pgwarden.core.protocol.MessageType;
import io.pgwarden.core.protocol.PgBuffers;
import io.pgwarden.core.protocol.ProtocolException;
import io.pgwarden.core.protocol.frontend.Bind;
import io.pgwarden.core.protocol.frontend.Close;
import io.pgwarden.core.protocol.frontend.Describe;
import io.pgwarden.core.protocol.frontend.Execute;
import io.pgwarden.core.protocol.frontend.Parse;
import io.pgwarden.core.protocol.frontend.Query;
import io.pgwarden.spi.Decision;
import io.pgwarden.spi.Interceptor;
import io.pgwarden.spi.MessageContext;
import io.pgwarden.spi.QueryContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client-to-server direction. Without onQuery or onMessage subscribers, only Terminate is
 * taken out of the stream; Query, Sync and FunctionCall are counted from their headers as
 * synchronization points, so any size streams through and statement text is never decoded.
 */
final class FrontendPolicy implements FramePolicy {

    private static final Logger LOG = LoggerFactory.getLogger(FrontendPolicy.class);

    private final ClientSession session;
    private final RelayState relay;
    private final Interceptor[] queryHooks;
    private final Interceptor[] messageHooks;
    private final Interceptor[] executeHooks;
    /** Times each Execute and Query and matches the server's answers with them. */
    private final StatementTimeline timeline;
    /** What portals run, when onExecute or onComplete interceptors need it; else null. */
    private final PortalSources sources;
    /** Follows Parse/Bind/Describe/Execute/Close when a row interceptor needs columns for rows; else null. */
    private final ExtendedQueryTracker tracker;
    /** A Parse seen by the tracker whose statement the proxy describes itself once the Parse is sent. */
    private String parsedStatement;
    /** The session's hold on the pool: statement names and pinning in transaction mode. */
    private final ServerAttachment attachment;
    /** Named statements are mapped to server names (transaction mode); else null. */
    private final StatementMap statements;

    FrontendPolicy(ClientSession session) {
        this.session = session;
        this.relay = session.relayState();
        this.queryHooks = session.runtime().chain().queryHooks();
        this.messageHooks = session.runtime().chain().messageHooks();
        this.executeHooks = session.runtime().chain().executeHooks();
        this.timeline = relay.timeline();
        this.sources = relay.sources();
        this.tracker = relay.tracker();
        this.attachment = session.attachment();
        this.statements = attachment.statements();
    }

    @Override
    public int classify(byte type) {
        if (messageHooks.length > 0) {
            return INSPECT;
        }
        return switch (type) {
            case MessageType.TERMINATE -> INSPECT;
            // With onComplete plugins, a Query is read where it lies for its text.
            case MessageType.QUERY -> queryHooks.length > 0 ? INSPECT : attachment.scanning() || timeline.detailed() ? REWRITE : FORWARD;
            // Followed for onExecute (sources) without a tracker, Parse, Bind, Close and Execute are read where they
            // lie (REWRITE), so that they leave in one write with the rest of the read instead of one write each.
            case MessageType.PARSE -> queryHooks.length > 0 || tracker != null ? INSPECT
                    : statements != null || sources != null || attachment.scanning() ? REWRITE : FORWARD;
            case MessageType.BIND, MessageType.CLOSE -> tracker != null ? INSPECT
                    : statements != null || sources != null ? REWRITE : FORWARD;
            case MessageType.DESCRIBE -> tracker != null ? INSPECT : statements != null ? REWRITE : FORWARD;
            case MessageType.EXECUTE -> tracker != null ? INSPECT : sources != null ? REWRITE : FORWARD;
            case MessageType.FUNCTION_CALL -> queryHooks.length > 0 ? INSPECT : FORWARD;
            default -> FORWARD;
        };
    }

    @Override
    public boolean attach(byte type, RelayHandler relayHandler) {
        return type == MessageType.TERMINATE || attachment.attachForClient();
    }

    @Override
    public void forwarded(byte type) {
        countSync(type);
        if (tracker != null) {
            trackSynchronization(type);
        }
    }

    private void countSync(byte type) {
        countSync(type, null);
    }

    /** Counts a message on its way out; a Query's text, when followed, goes with it for its completions. */
    private void countSync(byte type, String querySql) {
        timeline.sent(type);
        if (querySql != null) {
            timeline.queryText(querySql);
        }
        countRelay(type);
    }

    /**
     * The text of a Query when the timeline keeps it for onComplete, otherwise null.
     *
     * @throws ProtocolException when the Query is malformed
     */
    private String queryText(byte type, ByteBuf frame) {
        return type == MessageType.QUERY && timeline.detailed() ? Query.decode(PgBuffers.payload(frame)).sql() : null;
    }

    private void countRelay(byte type) {
        attachment.clientActive();
        switch (type) {
            case MessageType.SYNC, MessageType.FUNCTION_CALL, MessageType.QUERY -> relay.syncSent();
            case MessageType.PARSE, MessageType.BIND, MessageType.DESCRIBE, MessageType.EXECUTE, MessageType.CLOSE -> relay.extendedSent();
            default -> {
            }
        }
    }

    @Override
    public ByteBuf rewrite(byte type, ByteBuf frame) {
        try {
            if (sources != null) {
                if (type == MessageType.EXECUTE) {
                    executing(frame);
                    return null;
                }
                sources.follow(type, PgBuffers.payload(frame));
            }
            String sql = queryText(type, frame);
            ByteBuf replacement = transform(type, frame, relay.currentGroup());
            countSync(type, sql);
            return replacement;
        } catch (ProtocolException e) {
            session.clientViolation(e.getMessage());
            return null;
        }
    }

    /**
     * What transaction pooling needs from a statement message on its way out: a look for state that
     * pins the session, and server names for named statements.
     *
     * @return the bytes to send instead, or null to send the frame
     */
    private ByteBuf transform(byte type, ByteBuf frame, long group) {
        if (attachment.scanning() && (type == MessageType.QUERY || type == MessageType.PARSE)) {
            scanForPins(type, frame);
        }
        if (statements == null) {
            return null;
        }
        return switch (type) {
            case MessageType.QUERY -> deallocate(frame, group);
            case MessageType.PARSE -> statements.parse(frame, attachment.server(), relay.currentGroup());
            case MessageType.BIND -> statements.bind(frame, attachment.server(), relay.currentGroup());
            case MessageType.DESCRIBE, MessageType.CLOSE -> statements.describeOrClose(type, frame, attachment.server(), relay.currentGroup());
            default -> null;
        };
    }

    private void scanForPins(byte type, ByteBuf frame) {
        int from = frame.readerIndex() + 5;
        int end = frame.writerIndex();
        if (type == MessageType.PARSE) {
            int nameEnd = frame.forEachByte(from, end - from, io.netty.util.ByteProcessor.FIND_NUL);
            if (nameEnd < 0) {
                throw new ProtocolException("Parse message has a string without its terminator");
            }
            from = nameEnd + 1;
            if (statements == null && nameEnd > frame.readerIndex() + 5) {
                attachment.pin(PinReason.PREPARE);
                return;
            }
        }
        int textEnd = from >= end ? -1 : frame.forEachByte(from, end - from, io.netty.util.ByteProcessor.FIND_NUL);
        if (textEnd < 0) {
            throw new ProtocolException("message has a string without its terminator");
        }
        PinReason reason = StatementPins.scan(frame, from, textEnd, attachment.server());
        if (reason != null) {
            attachment.pin(reason);
        }
    }

    /**
     * SQL {@code DEALLOCATE name} of a statement the client prepared with Parse: the server knows it
     * under another name, so the client's name is dropped here and the server runs an empty
     * statement whose CommandComplete is renamed {@code DEALLOCATE}.
     */
    private ByteBuf deallocate(ByteBuf frame, long group) {
        int from = frame.readerIndex() + 5;
        int end = frame.writerIndex() - 1;
        if (end <= from || frame.getByte(end) != 0) {
            return null;
        }
        String name = DeallocateStatement.name(frame, from, end);
        if (name == null || !statements.forget(name)) {
            return null;
        }
        relay.expect(new Substitution.Response(group, "DEALLOCATE"));
        String sql = SubstituteSql.response(new io.pgwarden.spi.StatementResult(java.util.List.of(), java.util.List.of(), "DEALLOCATE"));
        ByteBuf query = frame.alloc().buffer(sql.length() + 6);
        new io.pgwarden.core.protocol.frontend.Query(sql).encode(query);
        return query;
    }

    /**
     * Writes a statement message, mapped for transaction pooling when needed; takes ownership of the frame.
     *
     * @param group the synchronization group of the statement (for a Query, the one it opened)
     */
    private void send(byte type, ByteBuf frame, RelayHandler out, long group) {
        ByteBuf replacement = null;
        if (statements != null || attachment.scanning()) {
            try {
                replacement = transform(type, frame, group);
            } catch (RuntimeException e) {
                frame.release();
                throw e;
            }
        }
        if (replacement == null) {
            out.write(frame);
        } else {
            frame.release();
            out.write(replacement);
        }
    }

    private void trackSynchronization(byte type) {
        switch (type) {
            case MessageType.SYNC -> tracker.synchronize(ExtendedQueryTracker.Kind.SYNC);
            case MessageType.QUERY -> tracker.synchronize(ExtendedQueryTracker.Kind.QUERY);
            case MessageType.FUNCTION_CALL -> tracker.synchronize(ExtendedQueryTracker.Kind.FUNCTION_CALL);
            default -> {
            }
        }
    }

    /** Queues what the server will answer to an inspected message (row interceptors only). */
    private void track(byte type, ByteBuf frame) {
        ByteBuf payload = PgBuffers.payload(frame);
        switch (type) {
            case MessageType.PARSE -> {
                parsedStatement = Parse.decode(payload).statement();
                tracker.parse(parsedStatement);
            }
            case MessageType.BIND -> {
                Bind bind = Bind.decode(payload);
                tracker.bind(bind.portal(), bind.statement(), bind.resultFormats());
            }
            case MessageType.DESCRIBE -> {
                Describe describe = Describe.decode(payload);
                tracker.describe(describe.target() == Describe.STATEMENT, describe.name());
            }
            case MessageType.EXECUTE -> tracker.execute(Execute.decode(payload).portal());
            case MessageType.CLOSE -> {
                Close close = Close.decode(payload);
                tracker.close(close.target() == Close.STATEMENT, close.name());
            }
            default -> trackSynchronization(type);
        }
    }

    @Override
    public void peek(byte type, ByteBuf frame) {
        // Nothing is peeked in this direction.
    }

    @Override
    public boolean handle(byte type, ByteBuf frame, RelayHandler out) {
        if (messageHooks.length > 0) {
            MessageView.notify(messageHooks, session.state(), MessageContext.Direction.FRONTEND, type, frame);
        }
        if (type == MessageType.TERMINATE) {
            frame.release();
            session.terminate();
            return true;
        }
        if (tracker != null) {
            try {
                track(type, frame);
            } catch (ProtocolException e) {
                frame.release();
                session.clientViolation(e.getMessage());
                return true;
            }
        }
        if (sources != null && type != MessageType.EXECUTE && !(type == MessageType.PARSE && queryHooks.length > 0)) {
            try {
                sources.follow(type, PgBuffers.payload(frame));
            } catch (ProtocolException e) {
                frame.release();
                session.clientViolation(e.getMessage());
                return true;
            }
        }
        if ((type == MessageType.QUERY || type == MessageType.PARSE) && queryHooks.length > 0) {
            return runQueryHooks(type, frame, out);
        }
        if (type == MessageType.EXECUTE && sources != null) {
            return execute(frame, out);
        }
        if (type == MessageType.FUNCTION_CALL && queryHooks.length > 0) {
            refuseFunctionCall(frame, out);
            return true;
        }
        long group = relay.currentGroup();
        String sql;
        try {
            sql = queryText(type, frame);
        } catch (ProtocolException e) {
            frame.release();
            session.clientViolation(e.getMessage());
            return true;
        }
        countSync(type, sql);
        try {
            send(type, frame, out, group);
        } catch (ProtocolException e) {
            session.clientViolation(e.getMessage());
            return true;
        }
        describeParsed(out);
        return true;
    }

    /** An Execute, followed: onExecute hears of it before it is forwarded, and its answer finds it again. */
    private boolean execute(ByteBuf frame, RelayHandler out) {
        try {
            executing(frame);
        } catch (ProtocolException e) {
            frame.release();
            session.clientViolation(e.getMessage());
            return true;
        }
        out.write(frame);
        return true;
    }

    /** An Execute about to be forwarded: onExecute hears of it, and the timeline keeps it for its answer. */
    private void executing(ByteBuf frame) {
        String portal = Execute.decode(PgBuffers.payload(frame)).portal();
        ExecuteView view = sources.execute(session.state(), portal);
        for (Interceptor hook : executeHooks) {
            try {
                hook.onExecute(view);
            } catch (RuntimeException e) {
                LOG.error("[{}] interceptor {} failed in onExecute", session.id(), hook, e);
            }
        }
        timeline.execute(view);
        countRelay(MessageType.EXECUTE);
    }

    /**
     * After a tracked Parse: describe the statement so its columns are known even when the client
     * executes it without describing it; the answer is hidden from the client.
     */
    private void describeParsed(RelayHandler out) {
        if (parsedStatement == null) {
            return;
        }
        ByteBuf describe = session.client().alloc().buffer(parsedStatement.length() + 7);
        String name = statements == null ? parsedStatement : statements.serverName(parsedStatement);
        new Describe(Describe.STATEMENT, name).encode(describe);
        tracker.describeHidden(parsedStatement);
        timeline.injected();
        parsedStatement = null;
        out.write(describe);
    }

    private boolean runQueryHooks(byte type, ByteBuf frame, RelayHandler out) {
        attachment.clientActive();
        if (type == MessageType.PARSE) {
            relay.extendedSent();
        }
        long group = type == MessageType.QUERY ? relay.syncSent() : relay.currentGroup();
        QueryContext.Kind kind = type == MessageType.QUERY ? QueryContext.Kind.SIMPLE : QueryContext.Kind.PARSE;
        QueryView view = new QueryView(session.state(), kind, PgBuffers.payload(frame));
        try {
            // A malformed message is the client's fault, not a plugin's; checked without decoding the text.
            view.validate();
        } catch (ProtocolException e) {
            frame.release();
            session.clientViolation(e.getMessage());
            return true;
        }
        StatementNotes notes = new StatementNotes();
        if (type == MessageType.QUERY) {
            timeline.query(notes);
        } else {
            timeline.sent(type);
        }
        boolean[] inHooks = {true};
        boolean done = HookRunner.run(queryHooks, hook -> hook.onQuery(new PluginQueryView(view, HookRunner.name(hook), notes)),
                decision -> {
                    if (decision instanceof Decision.Rewrite rewrite) {
                        view.rewrite(rewrite.sql());
                        return true;
                    }
                    return false;
                }, session.loop(), (decision, by) -> {
            apply(decision, by, view, notes, group, frame, out);
            if (!inHooks[0]) {
                out.resume();
            }
        });
        inHooks[0] = false;
        return done;
    }

    private void apply(Decision decision, String by, QueryView view, StatementNotes notes, long group, ByteBuf frame,
                       RelayHandler out) {
        if (view.kind() == QueryContext.Kind.SIMPLE) {
            // The Query's entry is still the newest: the relay reads nothing more until a decision is carried out.
            timeline.queryText(view.sql());
        }
        try {
            if (decision instanceof Decision.Proceed) {
                if (sources != null && view.kind() == QueryContext.Kind.PARSE) {
                    sources.parsed(view.statementName(), view.sql(), notes);
                }
                if (view.rewritten()) {
                    ByteBuf rewritten = frame.alloc().buffer(frame.readableBytes() + 64);
                    try {
                        view.encodeWith(view.sql(), rewritten);
                    } catch (RuntimeException e) {
                        rewritten.release();
                        throw e;
                    }
                    frame.release();
                    send(view.kind() == QueryContext.Kind.SIMPLE ? MessageType.QUERY : MessageType.PARSE, rewritten, out, group);
                } else {
                    send(view.kind() == QueryContext.Kind.SIMPLE ? MessageType.QUERY : MessageType.PARSE, frame, out, group);
                }
            } else if (decision instanceof Decision.Reject reject) {
                substitute(view, new Substitution.Rejection(group, SubstituteSql.token(), reject, by, view.sql()), frame, out);
            } else if (decision instanceof Decision.Respond respond && view.kind() == QueryContext.Kind.SIMPLE) {
                substitute(view, new Substitution.Response(group, respond.result().commandTag()), frame, out,
                        SubstituteSql.response(respond.result()));
            } else if (decision instanceof Decision.Respond) {
                substitute(view, notSupported(group, "answering an extended-protocol statement without the server is not supported",
                        by, view), frame, out);
            } else if (decision instanceof Decision.Route) {
                substitute(view, notSupported(group, "routing a single statement to another backend is not supported", by, view),
                        frame, out);
            } else {
                substitute(view, notSupported(group, "an interceptor returned a decision onQuery cannot take", by, view), frame, out);
            }
            describeParsed(out);
        } catch (ProtocolException e) {
            frame.release();
            session.clientViolation(e.getMessage());
        }
    }

    /**
     * A FunctionCall runs a function by its OID without SQL text, so statement interceptors (a
     * guard, a mask, an audit log) would never see it: while any interceptor implements onQuery it
     * is refused, by the server, so that the transaction state stays PostgreSQL's (an error inside
     * a transaction block aborts it). The client gets the ErrorResponse and ReadyForQuery it would
     * get for a failing call.
     */
    private void refuseFunctionCall(ByteBuf frame, RelayHandler out) {
        attachment.clientActive();
        long group = relay.syncSent();
        Substitution.Rejection rejection = new Substitution.Rejection(group, SubstituteSql.token(), new Decision.Reject("0A000",
                "pgwarden does not relay function calls by OID (the FunctionCall message) while statement interceptors are active",
                "Call the function in an SQL statement instead; with pgjdbc, large objects need the statement interceptors off."),
                RefusalView.PROXY, null);
        timeline.sent(MessageType.FUNCTION_CALL);
        ByteBuf replacement = frame.alloc().buffer();
        try {
            new Query(SubstituteSql.rejection(rejection.token())).encode(replacement);
        } catch (RuntimeException e) {
            replacement.release();
            throw e;
        } finally {
            frame.release();
        }
        relay.expect(rejection);
        out.write(replacement);
    }

    private static Substitution.Rejection notSupported(long group, String message, String by, QueryView view) {
        return new Substitution.Rejection(group, SubstituteSql.token(), new Decision.Reject("0A000", message, null), by, view.sql());
    }

    private void substitute(QueryView view, Substitution.Rejection rejection, ByteBuf frame, RelayHandler out) {
        substitute(view, rejection, frame, out, SubstituteSql.rejection(rejection.token()));
    }

    private void substitute(QueryView view, Substitution substitution, ByteBuf frame, RelayHandler out, String sql) {
        ByteBuf replacement = frame.alloc().buffer(sql.length() + 32);
        try {
            view.encodeSubstitute(sql, replacement);
        } catch (RuntimeException e) {
            replacement.release();
            throw e;
        }
        frame.release();
        relay.expect(substitution);
        send(view.kind() == QueryContext.Kind.SIMPLE ? MessageType.QUERY : MessageType.PARSE, replacement, out,
                substitution.group());
    }

    @Override
    public void violation(String message) {
        session.clientViolation(message);
    }
}
