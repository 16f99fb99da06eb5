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
 */
final class StatementTimeline {

    private static final byte EXECUTE = 1;
    private static final byte QUERY = 2;
    /** A Sync or a FunctionCall: answered by ReadyForQuery, and the end of an error's skipping. */
    private static final byte SYNC = 3;

    private final ProxyMeters meters;
    private byte[] kinds = new byte[8];
    /** Answers the server owes to Parse/Bind/Describe/Close sent before this entry. */
    private int[] before = new int[8];
    private long[] started = new long[8];
    private ExecuteView[] executes = new ExecuteView[8];
    private StatementNotes[] queryNotes = new StatementNotes[8];
    private int head;
    private int size;
    /** Answers owed to Parse/Bind/Describe/Close sent after the last entry. */
    private int trailing;

    StatementTimeline(ProxyMeters meters) {
        this.meters = meters;
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

    /** Whether nothing the client sent waits for an answer. */
    boolean idle() {
        return size == 0 && trailing == 0;
    }

    private ExecuteView endExecute() {
        ExecuteView view = executes[head];
        meters.queryDuration(true, System.nanoTime() - started[head]);
        pop();
        return view;
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
        trailing = 0;
        size++;
    }

    private void pop() {
        executes[head] = null;
        queryNotes[head] = null;
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
