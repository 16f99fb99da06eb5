package io.pgwarden.core.session;

import io.netty.buffer.ByteBuf;
import io.pgwarden.core.protocol.MessageType;
import io.pgwarden.core.protocol.ProtocolException;
import io.pgwarden.core.protocol.backend.CommandComplete;
import io.pgwarden.core.protocol.backend.ErrorResponse;
import io.pgwarden.core.protocol.backend.ParameterStatus;
import io.pgwarden.core.protocol.backend.RowDescription;
import io.pgwarden.spi.Interceptor;
import io.pgwarden.spi.MessageContext;
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

    BackendPolicy(ClientSession session) {
        this.session = session;
        this.relay = session.relayState();
        this.rowHooks = session.runtime().chain().rowHooks();
        this.completeHooks = session.runtime().chain().completeHooks();
        this.messageHooks = session.runtime().chain().messageHooks();
        this.tracker = relay.tracker();
        this.attachment = session.attachment();
        this.pooled = attachment.transactionMode();
        this.statements = attachment.statements();
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
            case MessageType.COMMAND_COMPLETE -> completeHooks.length > 0 || relay.expectsSubstitutions() ? INSPECT
                    : claimed != null || tracker != null || pooled ? PEEK : FORWARD;
            case MessageType.PORTAL_SUSPENDED, MessageType.EMPTY_QUERY_RESPONSE -> claimed != null || tracker != null ? PEEK : FORWARD;
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

    @Override
    public void forwarded(byte type) {
        // Nothing is counted in this direction; ReadyForQuery is peeked whole.
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
                relay.readyForQuery(status);
                session.readyForQuery(status);
            }
            case MessageType.ERROR_RESPONSE -> {
                try {
                    errorSeen(ErrorResponse.decode(payload(frame)));
                } catch (ProtocolException e) {
                    session.serverViolation(e.getMessage());
                }
            }
            case MessageType.COMMAND_COMPLETE -> {
                executeEnded();
                if (pooled) {
                    commandTag(frame);
                }
            }
            case MessageType.PORTAL_SUSPENDED, MessageType.EMPTY_QUERY_RESPONSE -> executeEnded();
            case MessageType.PARSE_COMPLETE -> {
                if (statements != null) {
                    statements.parseComplete();
                }
                if (tracker != null) {
                    tracker.parseComplete();
                }
            }
            case MessageType.BIND_COMPLETE -> tracker.bindComplete();
            case MessageType.CLOSE_COMPLETE -> {
                if (statements != null) {
                    statements.closeComplete();
                }
                if (tracker != null) {
                    tracker.closeComplete();
                }
            }
            case MessageType.PARAMETER_STATUS -> parameterStatus(frame);
            case MessageType.NO_DATA -> tracker.noData();
            default -> {
            }
        }
    }

    /** A setting changed on the server: the client now expects it from any server it gets. */
    private void parameterStatus(ByteBuf frame) {
        ParameterStatus status = ParameterStatus.decode(payload(frame));
        var server = attachment.server();
        if (server != null) {
            server.reported().put(status.name(), status.value());
        }
        if (attachment.settings() != null) {
            attachment.settings().changed(status.name(), status.value());
        }
    }

    /** Commands that end what the pool knows of the server's session state. */
    private void commandTag(ByteBuf frame) {
        int length = frame.readableBytes() - 5;
        if (length != 15 && length != 12 && length != 6) {
            return; // DEALLOCATE ALL, DISCARD ALL, RESET (with their terminators)
        }
        String tag = CommandComplete.decode(payload(frame)).tag();
        var server = attachment.server();
        if (server == null) {
            return;
        }
        switch (tag) {
            case "DEALLOCATE ALL" -> {
                server.statementsDeallocated();
                if (statements != null) {
                    statements.clear();
                }
            }
            case "DISCARD ALL" -> {
                server.statementsDeallocated();
                server.sessionReset();
                if (statements != null) {
                    statements.clear();
                }
            }
            case "RESET" -> server.sessionReset();
            default -> {
            }
        }
    }

    private void executeEnded() {
        endResultSet();
        if (tracker != null) {
            tracker.executeEnded();
        }
    }

    /** An error ends the result set; the server skips to Sync; a FATAL means it closes next. */
    private void errorSeen(ErrorResponse error) {
        endResultSet();
        if (tracker != null) {
            tracker.error();
        }
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
                    ExtendedQueryTracker.Described described = ExtendedQueryTracker.Described.RESULT_SET;
                    if (rowHooks.length > 0) {
                        RowDescription columns = RowDescription.decode(payload(frame));
                        described = tracker == null ? described : tracker.rowDescription(columns);
                        if (described == ExtendedQueryTracker.Described.RESULT_SET) {
                            offer(columns);
                        }
                    }
                    forwardUnlessHidden(described == ExtendedQueryTracker.Described.HIDDEN_ANSWER, frame, out);
                }
                case MessageType.PARAMETER_DESCRIPTION -> forwardUnlessHidden(tracker != null && tracker.hiddenDescribeAtHead(), frame, out);
                case MessageType.NO_DATA -> forwardUnlessHidden(tracker != null && tracker.noData(), frame, out);
                case MessageType.DATA_ROW -> out.write(claimed != null || claimExecute() ? rewriteRow(frame) : frame);
                case MessageType.ERROR_RESPONSE -> out.write(error(frame));
                case MessageType.PARSE_COMPLETE, MessageType.CLOSE_COMPLETE -> {
                    boolean hidden = statements != null
                            && (type == MessageType.PARSE_COMPLETE ? statements.hiddenParseNext() : statements.hiddenCloseNext());
                    peek(type, frame);
                    forwardUnlessHidden(hidden, frame, out);
                }
                case MessageType.COMMAND_COMPLETE -> out.write(complete(frame));
                default -> {
                    if (classifyWithoutTaps(type) == PEEK) {
                        peek(type, frame);
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
        ResultSetView columns = new ResultSetView(session.state(), description);
        List<RowInterceptor> interceptors = null;
        for (Interceptor hook : rowHooks) {
            RowInterceptor row;
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

    private ByteBuf error(ByteBuf frame) {
        ErrorResponse error = ErrorResponse.decode(payload(frame));
        errorSeen(error);
        if (completeHooks.length == 0 && !relay.expectsSubstitutions()) {
            return frame;
        }
        Substitution current = relay.current();
        ByteBuf result = frame;
        if (current instanceof Substitution.Rejection rejection && error.message() != null
                && error.message().contains(rejection.token())) {
            relay.consumed(rejection);
            ErrorResponse replacement = ErrorResponse.error(rejection.reject().sqlState(), rejection.reject().message());
            if (rejection.reject().hint() != null) {
                replacement = replacement.withHint(rejection.reject().hint());
            }
            error = replacement;
            result = frame.alloc().buffer();
            replacement.encode(result);
            frame.release();
        }
        notifyComplete("", error.sqlState(), error.message());
        return result;
    }

    private ByteBuf complete(ByteBuf frame) {
        executeEnded();
        if (completeHooks.length == 0 && !relay.expectsSubstitutions()) {
            return frame;
        }
        String tag = CommandComplete.decode(payload(frame)).tag();
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

    private void notifyComplete(String tag, String sqlState, String message) {
        if (completeHooks.length == 0) {
            return;
        }
        CompletionView view = new CompletionView(session.state(), tag, sqlState, message);
        for (Interceptor hook : completeHooks) {
            try {
                hook.onComplete(view);
            } catch (RuntimeException e) {
                LOG.error("[{}] interceptor {} failed in onComplete", session.id(), hook, e);
            }
        }
    }

    private void endResultSet() {
        claimed = null;
        claimedColumns = null;
    }

    private static ByteBuf payload(ByteBuf frame) {
        return frame.slice(frame.readerIndex() + 5, frame.readableBytes() - 5);
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
