package io.pgwarden.plugin.audit;

import io.pgwarden.spi.ExecuteContext;
import io.pgwarden.spi.Note;
import java.util.ArrayDeque;
import java.util.List;

/**
 * One session's audit state, kept in the session's attributes and touched only by its event loop: the session's
 * facts, the simple query strings sent but not yet completed, and the Executes sent but not yet completed, oldest
 * first, so that each completion gets the text, parameters and start time it belongs to.
 *
 * <p>A simple query string is one entry that stays until each of its statements completed or one failed (the
 * server skips the rest). An Execute is one entry that its completion, which names the same {@link ExecuteContext}
 * instance, takes; Executes before it that are still waiting were skipped by the server after an error and are
 * forgotten with it.
 */
final class SessionTrail {

    /** More waiting entries than this means completions went missing; the oldest are forgotten. */
    static final int MAX_PENDING = 256;

    private final long startNanos;
    private final ArrayDeque<PendingQuery> queries = new ArrayDeque<>();
    private final ArrayDeque<PendingExecute> executes = new ArrayDeque<>();
    private SessionFacts facts;

    /**
     * A new session's trail.
     *
     * @param facts the session's facts so far
     * @param startNanos when the session started, from {@link System#nanoTime()}
     */
    SessionTrail(SessionFacts facts, long startNanos) {
        this.facts = facts;
        this.startNanos = startNanos;
    }

    /**
     * The session's facts, as of the last hook.
     *
     * @return the facts
     */
    SessionFacts facts() {
        return facts;
    }

    /**
     * Replaces the facts, after authentication.
     *
     * @param updated the new facts
     */
    void facts(SessionFacts updated) {
        this.facts = updated;
    }

    /**
     * When the session started.
     *
     * @return the {@link System#nanoTime()} of the start
     */
    long startNanos() {
        return startNanos;
    }

    /**
     * Records a simple query string sent to the server.
     *
     * @param sql the query string
     * @param statements how many statements it holds
     * @param nanos when it was sent
     */
    void sent(String sql, int statements, long nanos) {
        if (statements == 0) {
            return;
        }
        if (queries.size() == MAX_PENDING) {
            queries.pollFirst();
        }
        queries.addLast(new PendingQuery(sql, statements, nanos));
    }

    /**
     * Records an Execute sent to the server.
     *
     * @param execute the Execute, as its completion will name it
     * @param parameters its parameters as they are written
     * @param nanos when it arrived
     */
    void executing(ExecuteContext execute, List<String> parameters, long nanos) {
        if (executes.size() == MAX_PENDING) {
            executes.pollFirst();
        }
        executes.addLast(new PendingExecute(execute, parameters, nanos));
    }

    /**
     * Builds the statement event for a completion without an Execute, the statement of a simple query, and advances
     * the trail. With no query string waiting, the event has no text; it is marked extended when Executes are
     * waiting, as the server's answer to one of their Parses or Binds (a syntax error).
     *
     * @param epochMillis the time
     * @param commandTag the tag, empty on error
     * @param sqlState the SQLSTATE on error, otherwise {@code null}
     * @param notes what plugins reported about the statement
     * @param nanos when the completion arrived
     * @return the event
     */
    AuditEvent completed(long epochMillis, String commandTag, String sqlState, List<Note> notes, long nanos) {
        PendingQuery head = queries.peekFirst();
        if (head == null) {
            // With Executes waiting, this is an error that answered one of their Parses or Binds.
            return new AuditEvent(AuditEvent.Type.STATEMENT, epochMillis, facts, null, 0, !executes.isEmpty(), commandTag,
                    sqlState, -1, null, notes, null);
        }
        AuditEvent event = new AuditEvent(AuditEvent.Type.STATEMENT, epochMillis, facts, head.sql, head.index, false,
                commandTag, sqlState, nanos - head.startNanos, null, notes, null);
        head.index++;
        head.startNanos = nanos;
        if (sqlState != null || head.index >= head.statements) {
            queries.pollFirst();
        }
        return event;
    }

    /**
     * Builds the statement event for the completion of an Execute and forgets it, with the Executes before it that
     * the server skipped.
     *
     * @param epochMillis the time
     * @param execute the Execute the completion names
     * @param commandTag the tag, empty on error
     * @param sqlState the SQLSTATE on error, otherwise {@code null}
     * @param notes what plugins reported about the statement
     * @param nanos when the completion arrived
     * @return the event; without parameters and duration when the Execute was not seen
     */
    AuditEvent executed(long epochMillis, ExecuteContext execute, String commandTag, String sqlState, List<Note> notes,
                        long nanos) {
        PendingExecute pending = take(execute);
        return new AuditEvent(AuditEvent.Type.STATEMENT, epochMillis, facts, execute.sql(), 0, true, commandTag, sqlState,
                pending == null ? -1 : nanos - pending.startNanos, pending == null ? null : pending.parameters, notes, null);
    }

    private PendingExecute take(ExecuteContext execute) {
        for (PendingExecute pending : executes) {
            if (pending.execute == execute) {
                while (executes.pollFirst() != pending) {
                    // skipped by the server after an error: they will have no completion
                }
                return pending;
            }
        }
        return null;
    }

    /** A simple query string sent and not yet completed. */
    private static final class PendingQuery {
        private final String sql;
        private final int statements;
        private int index;
        private long startNanos;

        PendingQuery(String sql, int statements, long startNanos) {
            this.sql = sql;
            this.statements = statements;
            this.startNanos = startNanos;
        }
    }

    /**
     * An Execute sent and not yet completed.
     *
     * @param execute the Execute
     * @param parameters its parameters as written
     * @param startNanos when it arrived
     */
    private record PendingExecute(ExecuteContext execute, List<String> parameters, long startNanos) {
    }
}
