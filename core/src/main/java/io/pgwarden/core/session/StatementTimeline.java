package io.pgwarden.core.session;

import io.pgwarden.core.admin.ProxyMeters;
import io.pgwarden.core.protocol.MessageType;

/**
 * Matches the server's answers with the client's Executes and Queries, in order, to time each one
 * ({@code pgwarden.query.duration}) and to tell which Execute a completion or an error answers.
 *
 * <p>Each Execute, Query, Sync and FunctionCall is an entry of a queue of primitive arrays (no
 * object per message); Parse, Bind, Describe and Close are only counted, on the entry that follows
 * them, since the server answers them before it. An Execute ends with CommandComplete,
 * EmptyQueryResponse, PortalSuspended or ErrorResponse once the messages before it are answered;
 * an error makes the server skip every Execute up to the next Sync, and they are dropped with no
 * completion. A Query ends at its ReadyForQuery. Everything runs on the session's event loop.
 *
 * <p>With detail on (sessions with onComplete interceptors) it also keeps each Query's text and, for
 * every completion, what ended: the text, which statement of a simple query string it was, and how long it took
 * ({@link #endedSql()}, {@link #endedIndex()}, {@link #endedNanos()}).
 */
final class StatementTimeline {

    private static final byte EXECUTE = 1;
    private static final byte QUERY = 2;
    /** A Sync or a FunctionCall: answered by ReadyForQuery, and the end of an error's skipping. */
    private static final byte SYNC = 3;

    private final ProxyMeters meters;
    private final boolean detail;
    private byte[] kinds = new byte[8];
    /** Answers the server owes to Parse/Bind/Describe/Close sent before this entry. */
    private int[] before = new int[8];
    private long[] started = new long[8];
    private ExecuteView[] executes = new ExecuteView[8];
    private StatementNotes[] queryNotes = new StatementNotes[8];
    /** With detail: a Query's text, once known. */
    private String[] querySql = new String[8];
    /** With detail: when a Query's current statement started (the Query sent, or its previous statement ended). */
    private long[] statementStarted = new long[8];
    /** With detail: how many statements of a Query have ended. */
    private int[] statementsEnded = new int[8];
    private String endedSql;
    private int endedIndex;
    private long endedNanos = -1;
    private int head;
    private int size;
    /** Answers owed to Parse/Bind/Describe/Close sent after the last entry. */
    private int trailing;

    /**
     * A timeline.
     *
     * @param meters where durations go
     * @param detail whether to keep what each completion ended (texts, statement indexes, durations)
     */
    StatementTimeline(ProxyMeters meters, boolean detail) {
        this.meters = meters;
        this.detail = detail;
    }

    // The client's messages, in the order they go to the server.

    /**
     * A client message on its way to the server; Execute and Query are timed from here.
     *
     * @param type the message type
     */
    void sent(byte type) {
        switch (type) {
            case MessageType.PARSE, MessageType.BIND, MessageType.DESCRIBE, MessageType.CLOSE -> trailing++;
            case MessageType.EXECUTE -> push(EXECUTE, null, null);
            case MessageType.QUERY -> push(QUERY, null, null);
            case MessageType.SYNC, MessageType.FUNCTION_CALL -> push(SYNC, null, null);
            default -> {
            }
        }
    }

    /** An Execute with what onExecute saw. */
    void execute(ExecuteView view) {
        push(EXECUTE, view, null);
    }

    /** A Query with what plugins noted about it in onQuery. */
    void query(StatementNotes notes) {
        push(QUERY, null, notes);
    }

    /**
     * Whether it keeps what each completion ended, and so wants each Query's text.
     *
     * @return true with detail
     */
    boolean detailed() {
        return detail;
    }

    /**
     * The text of the Query just sent (the newest entry), as it went to the server; kept with detail only.
     *
     * @param sql the query string
     */
    void queryText(String sql) {
        if (detail && size > 0) {
            querySql[(head + size - 1) & (kinds.length - 1)] = sql;
        }
    }

    /** A message the proxy sent the server itself whose answer the server sends like any other (a Describe). */
    void injected() {
        trailing++;
    }

    // The server's answers, in order.

    /**
     * ParseComplete, BindComplete, CloseComplete, NoData, or a RowDescription: while such answers
     * are owed a RowDescription answers a Describe, else it heads a simple query's result set.
     */
    void answered() {
        if (size > 0) {
            if (before[head] > 0) {
                before[head]--;
            }
        } else if (trailing > 0) {
            trailing--;
        }
    }

    /**
     * CommandComplete, EmptyQueryResponse or PortalSuspended.
     *
     * @return the Execute it ends with what onExecute saw; null inside a simple query, or for an
     *         Execute nobody followed
     */
    ExecuteView completed() {
        if (size == 0 || kinds[head] != EXECUTE || before[head] > 0) {
            endStatement();
            return null;
        }
        return endExecute();
    }

    /**
     * An ErrorResponse: ends the Execute it answers, if any, and drops the Executes the server will
     * skip up to the next Sync.
     *
     * @return the failed Execute with what onExecute saw, or null when the error answers another message
     */
    ExecuteView failed() {
        ExecuteView failed = null;
        if (size > 0 && kinds[head] == EXECUTE && before[head] == 0) {
            failed = endExecute();
        } else {
            endStatement();
        }
        while (size > 0 && kinds[head] == EXECUTE) {
            pop();
        }
        if (size > 0) {
            before[head] = 0;
        } else {
            trailing = 0;
        }
        return failed;
    }

    /** What plugins noted about the simple query being answered now; null when none is. */
    StatementNotes currentQueryNotes() {
        return size > 0 && kinds[head] == QUERY ? queryNotes[head] : null;
    }

    /** ReadyForQuery: ends the oldest Query, Sync or FunctionCall. */
    void readyForQuery() {
        while (size > 0) {
            byte kind = kinds[head];
            long start = started[head];
            pop();
            if (kind == QUERY) {
                meters.queryDuration(false, System.nanoTime() - start);
                return;
            }
            if (kind == SYNC) {
                return;
            }
        }
    }

    /**
     * With detail, the text of the statement the last completion or error ended: the Execute's prepared statement,
     * or the whole simple query string.
     *
     * @return the text, or null when it answered neither an Execute nor a Query (an error answering a Parse or Bind)
     */
    String endedSql() {
        return endedSql;
    }

    /**
     * With detail, which statement of its simple query string the last completion or error ended, from 0.
     *
     * @return the index; 0 for an Execute
     */
    int endedIndex() {
        return endedIndex;
    }

    /**
     * With detail, how long the statement the last completion or error ended took: from when its Execute or its Query
     * was sent, or for the later statements of a query string, from the end of the one before.
     *
     * @return nanoseconds, or -1 when it answered neither an Execute nor a Query
     */
    long endedNanos() {
        return endedNanos;
    }

    /** Whether nothing the client sent waits for an answer. */
    boolean idle() {
        return size == 0 && trailing == 0;
    }

    private ExecuteView endExecute() {
        ExecuteView view = executes[head];
        long took = System.nanoTime() - started[head];
        meters.queryDuration(true, took);
        if (detail) {
            endedSql = view == null ? null : view.sql();
            endedIndex = 0;
            endedNanos = took;
        }
        pop();
        return view;
    }

    /** With detail, records what a completion that ends no Execute ended: a statement of the Query at the head, or nothing. */
    private void endStatement() {
        if (!detail) {
            return;
        }
        if (size > 0 && kinds[head] == QUERY) {
            long now = System.nanoTime();
            endedSql = querySql[head];
            endedIndex = statementsEnded[head]++;
            endedNanos = now - statementStarted[head];
            statementStarted[head] = now;
        } else {
            endedSql = null;
            endedIndex = 0;
            endedNanos = -1;
        }
    }

    private void push(byte kind, ExecuteView view, StatementNotes notes) {
        if (size == kinds.length) {
            grow();
        }
        int at = (head + size) & (kinds.length - 1);
        kinds[at] = kind;
        before[at] = trailing;
        started[at] = kind == SYNC ? 0 : System.nanoTime();
        executes[at] = view;
        queryNotes[at] = notes;
        querySql[at] = null;
        statementStarted[at] = started[at];
        statementsEnded[at] = 0;
        trailing = 0;
        size++;
    }

    private void pop() {
        executes[head] = null;
        queryNotes[head] = null;
        querySql[head] = null;
        head = (head + 1) & (kinds.length - 1);
        size--;
    }

    /** Doubles the arrays (a power of two), unrolling the ring so that the head is at 0. */
    private void grow() {
        int capacity = kinds.length * 2;
        kinds = unroll(kinds, new byte[capacity]);
        before = unroll(before, new int[capacity]);
        started = unroll(started, new long[capacity]);
        executes = unroll(executes, new ExecuteView[capacity]);
        queryNotes = unroll(queryNotes, new StatementNotes[capacity]);
        querySql = unroll(querySql, new String[capacity]);
        statementStarted = unroll(statementStarted, new long[capacity]);
        statementsEnded = unroll(statementsEnded, new int[capacity]);
        head = 0;
    }

    private <T> T unroll(T from, T to) {
        int length = java.lang.reflect.Array.getLength(from);
        int first = length - head;
        System.arraycopy(from, head, to, 0, first);
        System.arraycopy(from, 0, to, first, head);
        return to;
    }
}
