package io.pgwarden.plugin.audit;

import java.util.ArrayDeque;

/**
 * One session's audit state, kept in the session's attributes and touched only by its event loop: the session's
 * facts and the statements sent but not yet completed, oldest first, so that each completion can be given the
 * text it belongs to.
 *
 * <p>A simple query string is one entry that stays until each of its statements completed or one failed (the
 * server skips the rest). A Parse is one entry that its first completion takes; completions with no entry left
 * (a named statement executed again, or a batch that executes one Parse several times) have no text: the SPI
 * shows Parse, not Bind and Execute. After an extended-protocol error, the server skips everything up to the
 * next Sync, so the waiting Parses are forgotten instead of being given later completions.
 */
final class SessionTrail {

    /** More waiting statements than this means completions went missing; the oldest are forgotten. */
    static final int MAX_PENDING = 256;

    private final long startNanos;
    private final ArrayDeque<Pending> pending = new ArrayDeque<>();
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
     * Records a statement sent to the server.
     *
     * @param sql the query string or the Parse's text
     * @param extended whether it is a Parse
     * @param statements how many statements the text holds (1 for a Parse)
     * @param nanos when it was sent
     */
    void sent(String sql, boolean extended, int statements, long nanos) {
        if (statements == 0) {
            return;
        }
        if (pending.size() == MAX_PENDING) {
            pending.pollFirst();
        }
        pending.addLast(new Pending(sql, extended, statements, nanos));
    }

    /**
     * Builds the statement event for a completion and advances the trail.
     *
     * @param epochMillis the time
     * @param commandTag the tag, empty on error
     * @param sqlState the SQLSTATE on error, otherwise {@code null}
     * @param nanos when the completion arrived
     * @return the event
     */
    AuditEvent completed(long epochMillis, String commandTag, String sqlState, long nanos) {
        Pending head = pending.peekFirst();
        if (head == null) {
            return new AuditEvent(AuditEvent.Type.STATEMENT, epochMillis, facts, null, 0, false, commandTag, sqlState, -1);
        }
        AuditEvent event = new AuditEvent(AuditEvent.Type.STATEMENT, epochMillis, facts, head.sql, head.index, head.extended,
                commandTag, sqlState, nanos - head.startNanos);
        head.index++;
        head.startNanos = nanos;
        if (head.extended && sqlState != null) {
            pending.clear();
        } else if (sqlState != null || head.index >= head.statements) {
            pending.pollFirst();
        }
        return event;
    }

    /** A statement sent and not yet completed. */
    private static final class Pending {
        private final String sql;
        private final boolean extended;
        private final int statements;
        private int index;
        private long startNanos;

        Pending(String sql, boolean extended, int statements, long startNanos) {
            this.sql = sql;
            this.extended = extended;
            this.statements = statements;
            this.startNanos = startNanos;
        }
    }
}
