package io.pgwarden.core.session;

import io.pgwarden.core.admin.ProxyMeters;
import io.pgwarden.core.protocol.backend.ReadyForQuery;
import java.util.ArrayDeque;

/**
 * What the two directions of a session's relay share: the transaction status from the last
 * ReadyForQuery, how many synchronization points (Query, Sync, FunctionCall) the server still
 * owes an answer to, and the answers the proxy must change on their way back because it
 * substituted the statement that produces them.
 */
final class RelayState {

    private RelayHandler fromClient;
    private RelayHandler fromServer;
    private char transactionStatus = ReadyForQuery.IDLE;
    private long syncsSent;
    private long syncsAnswered;
    private final ArrayDeque<Substitution> substitutions = new ArrayDeque<>();
    private boolean serverSentFatal;
    private ExtendedQueryTracker tracker;
    private StatementTimeline timeline;
    private PortalSources sources;
    /** The client sent extended-protocol messages the next Sync has not closed yet. */
    private boolean extendedOpen;

    void attach(RelayHandler client, RelayHandler server) {
        this.fromClient = client;
        this.fromServer = server;
    }

    /** @return true when the client's relay holds no message it has not passed on (waiting for a server or a decision) */
    boolean clientQuiet() {
        return fromClient == null || fromClient.quiet();
    }

    void stop() {
        if (fromClient != null) {
            fromClient.stop();
        }
        if (fromServer != null) {
            fromServer.stop();
        }
    }

    /** Starts following the extended protocol (sessions with a row interceptor). */
    void trackExtendedQueries() {
        tracker = new ExtendedQueryTracker();
    }

    /**
     * Starts timing statements and matching answers with Executes; with {@code portals}, also keeps
     * what each portal runs (sessions with onExecute or onComplete interceptors); with
     * {@code completions}, what each completion ended (sessions with onComplete interceptors).
     */
    void followStatements(ProxyMeters meters, boolean portals, boolean completions) {
        timeline = new StatementTimeline(meters, completions);
        sources = portals ? new PortalSources() : null;
    }

    /** The statement timeline; set before the relay starts. */
    StatementTimeline timeline() {
        return timeline;
    }

    /** What portals run, or null when no interceptor needs it. */
    PortalSources sources() {
        return sources;
    }

    /** The extended-protocol tracker, or null when the session has no row interceptor. */
    ExtendedQueryTracker tracker() {
        return tracker;
    }

    char transactionStatus() {
        return transactionStatus;
    }

    long pendingSyncs() {
        return syncsSent - syncsAnswered;
    }

    /** The client sent a message the server answers with ReadyForQuery; returns its group number. */
    long syncSent() {
        extendedOpen = false;
        return syncsSent++;
    }

    /** The client sent Parse, Bind, Describe, Execute or Close: the server holds state until the next Sync. */
    void extendedSent() {
        extendedOpen = true;
    }

    boolean extendedOpen() {
        return extendedOpen;
    }

    /** The group the server is answering now: the oldest one without its ReadyForQuery. */
    long answeringGroup() {
        return syncsAnswered;
    }

    /** The group number the next synchronization point will close. */
    long currentGroup() {
        return syncsSent;
    }

    /** A ReadyForQuery arrived: substitutions of the group it closes can no longer be answered. */
    void readyForQuery(char status) {
        transactionStatus = status;
        syncsAnswered++;
        while (!substitutions.isEmpty() && substitutions.peekFirst().group() < syncsAnswered) {
            substitutions.pollFirst();
        }
    }

    /** The server sent a FATAL or PANIC error: it is about to close, and the client knows why. */
    void markServerFatal() {
        serverSentFatal = true;
    }

    boolean serverSentFatal() {
        return serverSentFatal;
    }

    void expect(Substitution substitution) {
        substitutions.addLast(substitution);
    }

    boolean expectsSubstitutions() {
        return !substitutions.isEmpty();
    }

    /** The oldest substitution of the group being answered, or null. */
    Substitution current() {
        Substitution head = substitutions.peekFirst();
        return head != null && head.group() == syncsAnswered ? head : null;
    }

    void consumed(Substitution substitution) {
        substitutions.remove(substitution);
    }
}
