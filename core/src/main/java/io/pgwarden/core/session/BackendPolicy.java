package io.pgwarden.core.session;

import io.netty.buffer.ByteBuf;
import io.pgwarden.core.protocol.MessageType;
import io.pgwarden.core.protocol.PgBuffers;
import io.pgwarden.core.protocol.ProtocolException;
import io.pgwarden.core.protocol.backend.CommandComplete;
import io.pgwarden.core.protocol.backend.ErrorResponse;
import io.pgwarden.core.protocol.backend.ReadyForQuery;
import io.pgwarden.core.protocol.backend.RowDescription;
import io.pgwarden.spi.Interceptor;
import io.pgwarden.spi.MessageContext;
import io.pgwarden.spi.Note;
import io.pgwarden.spi.RefusalContext;
import io.pgwarden.spi.RowInterceptor;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server-to-client direction. Without subscribers only ReadyForQuery is peeked at; result
 * sets stream untouched. A result set is decoded row by row only after an interceptor claimed it
 * from its RowDescription, and only until it ends.
 */
final class BackendPolicy implements FramePolicy {

    private static final Logger LOG = LoggerFactory.getLogger(BackendPolicy.class);

    private final ClientSession session;
    private final RelayState relay;
    private final Interceptor[] rowHooks;
    private final Interceptor[] completeHooks;
    private final Interceptor[] messageHooks;
    private final Interceptor[] refusedHooks;
    /** Matches answers with the client's Executes and Queries: timing, and which Execute a completion ends. */
    private final StatementTimeline timeline;
    /** What portals run, when onExecute or onComplete interceptors need it; else null. */
    private final PortalSources sources;
    /** The tags of CommandCompletes, for onComplete and substituted responses. */
    private final CommandTags tags = new CommandTags();
    /** What row interceptors noted about the result sets of the statement running now; null when nothing. */
    private StatementNotes resultNotes;
    /** Set when a statement ends (completion or error): the Execute it was, or null, and its result sets' notes. */
    private ExecuteView endedExecute;
    private StatementNotes endedResultNotes;
    /** The row interceptors of the result set streaming now; null when it is unclaimed. */
    private List<RowInterceptor> claimed;
    private ResultSetView claimedColumns;
    /** Follows the extended protocol so rows without a RowDescription before them can be claimed; or null. */
    private final ExtendedQueryTracker tracker;
    private final ServerAttachment attachment;
    /** Transaction pooling: settings are followed and some command tags change what the pool knows. */
    private final boolean pooled;
    /** Named statements mapped per server (transaction mode), or null. */
    private final StatementMap statements;
    /** What the server reports of its session state, followed for the pool. */
    private final ServerStateFollower serverState;

    BackendPolicy(ClientSession session) {
        this.session = session;
        this.relay = session.relayState();
        this.rowHooks = session.runtime().chain().rowHooks();
        this.completeHooks = session.runtime().chain().completeHooks();
        this.messageHooks = session.runtime().chain().messageHooks();
        this.refusedHooks = session.runtime().chain().refusedHooks();
        this.timeline = relay.timeline();
        this.sources = relay.sources();
        this.tracker = relay.tracker();
        this.attachment = session.attachment();
        this.pooled = attachment.transactionMode();
        this.statements = attachment.statements();
        this.serverState = new ServerStateFollower(attachment);
    }

    @Override
    public int classify(byte type) {
        if (messageHooks.length > 0) {
            return INSPECT;
        }
        return classifyWithoutTaps(type);
    }

    private int classifyWithoutTaps(byte type) {
        return switch (type) {
            case MessageType.DATA_ROW -> claimed != null || tracker != null && tracker.executeColumnsPending() ? INSPECT : FORWARD;
            case MessageType.READY_FOR_QUERY -> PEEK;
            case MessageType.ROW_DESCRIPTION -> rowHooks.length > 0 ? INSPECT : FORWARD;
            case MessageType.ERROR_RESPONSE -> completeHooks.length > 0 || relay.expectsSubstitutions() ? INSPECT : PEEK;
            // Completions are peeked, not inspected: the frame stays in the run written at once with the rest of the read.
            case MessageType.COMMAND_COMPLETE -> relay.expectsSubstitutions() ? INSPECT
                    : completeHooks.length > 0 || claimed != null || tracker != null || pooled ? PEEK : FORWARD;
            case MessageType.PORTAL_SUSPENDED, MessageType.EMPTY_QUERY_RESPONSE ->
                    completeHooks.length > 0 || claimed != null || tracker != null ? PEEK : FORWARD;
            case MessageType.PARSE_COMPLETE -> statements != null && statements.hiddenParseNext() ? INSPECT
                    : tracker != null || statements != null ? PEEK : FORWARD;
            case MessageType.CLOSE_COMPLETE -> statements != null && statements.hiddenCloseNext() ? INSPECT
                    : tracker != null || statements != null ? PEEK : FORWARD;
            case MessageType.BIND_COMPLETE -> tracker != null ? PEEK : FORWARD;
            case MessageType.PARAMETER_STATUS -> pooled ? PEEK : FORWARD;
            case MessageType.NO_DATA -> tracker == null ? FORWARD : tracker.hiddenDescribeAtHead() ? INSPECT : PEEK;
            case MessageType.PARAMETER_DESCRIPTION -> tracker != null && tracker.hiddenDescribeAtHead() ? INSPECT : FORWARD;
            default -> FORWARD;
        };
    }

    /** Answers that pass untouched still move the statement timeline; ReadyForQuery and errors are always peeked. */
    @Override
    public void forwarded(byte type) {
        switch (type) {
            case MessageType.PARSE_COMPLETE, MessageType.BIND_COMPLETE, MessageType.CLOSE_COMPLETE, MessageType.NO_DATA,
                 MessageType.ROW_DESCRIPTION -> timeline.answered();
            case MessageType.COMMAND_COMPLETE, MessageType.PORTAL_SUSPENDED, MessageType.EMPTY_QUERY_RESPONSE -> timeline.completed();
            default -> {
            }
        }
    }

    /** The answer to a Describe the proxy sent itself never reaches the client. */
    private static void forwardUnlessHidden(boolean hidden, ByteBuf frame, RelayHandler out) {
        if (hidden) {
            frame.release();
        } else {
            out.write(frame);
        }
    }

    /** Rows of an Execute with no RowDescription before them: offer the portal's columns, once. */
    private boolean claimExecute() {
        if (tracker == null) {
            return false;
        }
        RowDescription columns = tracker.executeColumns();
        if (columns != null) {
            offer(columns);
        }
        return claimed != null;
    }

    @Override
    public void peek(byte type, ByteBuf frame) {
        switch (type) {
            case MessageType.READY_FOR_QUERY -> {
                endResultSet();
                char status = (char) frame.getByte(frame.readerIndex() + 5);
                if (tracker != null) {
                    tracker.readyForQuery(status);
                }
                if (statements != null) {
                    statements.synced(relay.answeringGroup());
                }
                timeline.readyForQuery();
                if (sources != null && status == ReadyForQuery.IDLE && timeline.idle()) {
                    sources.transactionEnded();
                }
                relay.readyForQuery(status);
                session.readyForQuery(status);
            }
            case MessageType.ERROR_RESPONSE -> {
                try {
                    errorSeen(ErrorResponse.decode(PgBuffers.payload(frame)));
                } catch (ProtocolException e) {
                    session.serverViolation(e.getMessage());
                }
            }
            case MessageType.COMMAND_COMPLETE -> {
                commandComplete(frame);
                if (completeHooks.length > 0) {
                    notifyComplete(tags.tag(PgBuffers.payload(frame)), null, null);
                }
            }
            case MessageType.PORTAL_SUSPENDED, MessageType.EMPTY_QUERY_RESPONSE -> {
                executeEnded();
                if (endedExecute != null) {
                    notifyComplete("", null, null);
                }
            }
            case MessageType.PARSE_COMPLETE -> {
                if (statements == null || !statements.hiddenParseNext()) {
                    timeline.answered();
                }
                if (statements != null) {
                    statements.parseComplete();
                }
                if (tracker != null) {
                    tracker.parseComplete();
                }
            }
            case MessageType.BIND_COMPLETE -> {
                timeline.answered();
                if (tracker != null) {
                    tracker.bindComplete();
                }
            }
            case MessageType.CLOSE_COMPLETE -> {
                if (statements == null || !statements.hiddenCloseNext()) {
                    timeline.answered();
                }
                if (statements != null) {
                    statements.closeComplete();
                }
                if (tracker != null) {
                    tracker.closeComplete();
                }
            }
            case MessageType.PARAMETER_STATUS -> serverState.parameterStatus(frame);
            case MessageType.NO_DATA -> {
                timeline.answered();
                tracker.noData();
            }
            default -> {
            }
        }
    }

    private void executeEnded() {
        endResultSet();
        if (tracker != null) {
            tracker.executeEnded();
        }
        endedExecute = timeline.completed();
        statementEnded();
    }

    private void statementEnded() {
        endedResultNotes = resultNotes;
        resultNotes = null;
    }

    /** An error ends the result set; the server skips to Sync; a FATAL means it closes next. */
    private void errorSeen(ErrorResponse error) {
        endResultSet();
        if (tracker != null) {
            tracker.error();
        }
        endedExecute = timeline.failed();
        statementEnded();
        if (statements != null && attachment.server() != null) {
            statements.error(relay.answeringGroup(), attachment.server());
        }
        noteSeverity(error);
    }

    /** A FATAL or PANIC from the server means it closes next; the session must not add its own error. */
    private void noteSeverity(ErrorResponse error) {
        String severity = error.severity();
        if ("FATAL".equals(severity) || "PANIC".equals(severity)) {
            relay.markServerFatal();
        }
    }

    @Override
    public boolean handle(byte type, ByteBuf frame, RelayHandler out) {
        if (messageHooks.length > 0) {
            MessageView.notify(messageHooks, session.state(), MessageContext.Direction.BACKEND, type, frame);
        }
        try {
            switch (type) {
                case MessageType.ROW_DESCRIPTION -> {
                    timeline.answered();
                    ExtendedQueryTracker.Described described = ExtendedQueryTracker.Described.RESULT_SET;
                    if (rowHooks.length > 0) {
                        RowDescription columns = RowDescription.decode(PgBuffers.payload(frame));
                        described = tracker == null ? described : tracker.rowDescription(columns);
                        if (described == ExtendedQueryTracker.Described.RESULT_SET) {
                            offer(columns);
                        }
                    }
                    forwardUnlessHidden(described == ExtendedQueryTracker.Described.HIDDEN_ANSWER, frame, out);
                }
                case MessageType.PARAMETER_DESCRIPTION -> forwardUnlessHidden(tracker != null && tracker.hiddenDescribeAtHead(), frame, out);
                case MessageType.NO_DATA -> {
                    timeline.answered();
                    forwardUnlessHidden(tracker != null && tracker.noData(), frame, out);
                }
                case MessageType.DATA_ROW -> out.write(claimed != null || claimExecute() ? rewriteRow(frame) : frame);
                case MessageType.ERROR_RESPONSE -> error(frame, out);
                case MessageType.PARSE_COMPLETE, MessageType.CLOSE_COMPLETE -> {
                    boolean hidden = statements != null
                            && (type == MessageType.PARSE_COMPLETE ? statements.hiddenParseNext() : statements.hiddenCloseNext());
                    peek(type, frame);
                    forwardUnlessHidden(hidden, frame, out);
                }
                case MessageType.COMMAND_COMPLETE -> out.write(complete(frame));
                default -> {
                    // PortalSuspended and EmptyQueryResponse too: peeked (with onComplete) or forwarded as without taps.
                    int action = classifyWithoutTaps(type);
                    if (action == PEEK) {
                        peek(type, frame);
                    } else if (action == FORWARD) {
                        forwarded(type);
                    }
                    out.write(frame);
                }
            }
        } catch (ProtocolException e) {
            frame.release();
            session.serverViolation(e.getMessage());
        } catch (RowInterceptorFailure e) {
            frame.release();
            session.fatal("XX000", e.getMessage());
        }
        return true;
    }

    /** A row interceptor failed; the session ends rather than send rows it may have had to change. */
    private static final class RowInterceptorFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        RowInterceptorFailure(String message) {
            super(message, null, false, false);
        }
    }

    private void offer(RowDescription description) {
        if (resultNotes == null) {
            resultNotes = new StatementNotes();
        }
        ResultSetView columns = new ResultSetView(session.state(), description, resultNotes);
        List<RowInterceptor> interceptors = null;
        for (Interceptor hook : rowHooks) {
            RowInterceptor row;
            columns.calling(HookRunner.name(hook));
            try {
                row = hook.claimResultSet(columns);
            } catch (RuntimeException e) {
                // Fail closed: a masking plugin that cannot decide must not let the rows through.
                LOG.error("[{}] interceptor {} failed in claimResultSet", session.id(), hook, e);
                throw new RowInterceptorFailure("internal error in row interceptor " + hook);
            }
            if (row != null) {
                if (interceptors == null) {
                    interceptors = new ArrayList<>(2);
                }
                interceptors.add(row);
            }
        }
        claimed = interceptors;
        claimedColumns = interceptors == null ? null : columns;
    }

    private ByteBuf rewriteRow(ByteBuf frame) {
        RowView row = new RowView(claimedColumns, frame);
        for (RowInterceptor interceptor : claimed) {
            try {
                interceptor.onRow(row);
            } catch (RuntimeException e) {
                LOG.error("[{}] row interceptor {} failed", session.id(), interceptor, e);
                throw new RowInterceptorFailure("internal error in row interceptor " + interceptor);
            }
        }
        if (!row.changed()) {
            return frame;
        }
        ByteBuf rewritten = row.encode(frame.alloc());
        frame.release();
        return rewritten;
    }

    /**
     * An ErrorResponse: a rejection the proxy substituted gets the interceptor's error back, then
     * onComplete and, for a rejection, onRefused hear of it once it is on its way to the client.
     */
    private void error(ByteBuf frame, RelayHandler out) {
        ErrorResponse error = ErrorResponse.decode(PgBuffers.payload(frame));
        errorSeen(error);
        if (completeHooks.length == 0 && !relay.expectsSubstitutions()) {
            out.write(frame);
            return;
        }
        Substitution current = relay.current();
        Substitution.Rejection refused = null;
        ByteBuf result = frame;
        if (current instanceof Substitution.Rejection rejection && error.message() != null
                && error.message().contains(rejection.token())) {
            relay.consumed(rejection);
            refused = rejection;
            ErrorResponse replacement = ErrorResponse.error(rejection.reject().sqlState(), rejection.reject().message());
            if (rejection.reject().hint() != null) {
                replacement = replacement.withHint(rejection.reject().hint());
            }
            error = replacement;
            result = frame.alloc().buffer();
            replacement.encode(result);
            frame.release();
        }
        out.write(result);
        notifyComplete("", error.sqlState(), error.message());
        if (refused != null && refusedHooks.length > 0) {
            RefusalNotifier.notify(refusedHooks, new RefusalView(session.state(), RefusalContext.Stage.QUERY, refused.refusedBy(),
                    session.authMethod(), refused.reject().sqlState(), refused.reject().message(), refused.sql()));
        }
    }

    /** The statement ended; in transaction mode the pool follows what DEALLOCATE ALL, DISCARD ALL and RESET did. */
    private void commandComplete(ByteBuf frame) {
        executeEnded();
        if (pooled) {
            serverState.commandTag(frame);
        }
    }

    private ByteBuf complete(ByteBuf frame) {
        commandComplete(frame);
        if (completeHooks.length == 0 && !relay.expectsSubstitutions()) {
            return frame;
        }
        String tag = tags.tag(PgBuffers.payload(frame));
        ByteBuf result = frame;
        if (relay.current() instanceof Substitution.Response response) {
            relay.consumed(response);
            tag = response.commandTag();
            result = frame.alloc().buffer(tag.length() + 6);
            new CommandComplete(tag).encode(result);
            frame.release();
        }
        notifyComplete(tag, null, null);
        return result;
    }

    /** Tells onComplete interceptors how the statement that just ended went, with its Execute and notes. */
    private void notifyComplete(String tag, String sqlState, String message) {
        if (completeHooks.length == 0) {
            return;
        }
        CompletionView view = new CompletionView(session.state(), tag, sqlState, message, endedExecute, notes(),
                timeline.endedSql(), timeline.endedIndex(), timeline.endedNanos());
        for (Interceptor hook : completeHooks) {
            try {
                hook.onComplete(view);
            } catch (RuntimeException e) {
                LOG.error("[{}] interceptor {} failed in onComplete", session.id(), hook, e);
            }
        }
    }

    /** What onComplete gets as notes() for the statement that just ended. */
    private List<Note> notes() {
        return StatementNotes.forCompletion(session.routeNote(),
                endedExecute != null ? endedExecute.statementNotes() : timeline.currentQueryNotes(), endedResultNotes);
    }

    private void endResultSet() {
        claimed = null;
        claimedColumns = null;
    }

    @Override
    public void readComplete(RelayHandler relayHandler) {
        attachment.serverReadComplete();
    }

    /** The server's connection closed while attached. */
    @Override
    public void closed() {
        session.serverClosed();
    }

    @Override
    public void violation(String message) {
        session.serverViolation(message);
    }
}
