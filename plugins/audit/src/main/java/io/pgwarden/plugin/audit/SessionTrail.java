package io.pgwarden.plugin.audit;

/**
 * One session's audit state, kept in the session's attributes and touched only by its event loop: the session's
 * facts, which authentication completes, and when the session started.
 */
final class SessionTrail {

    private final long startNanos;
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
}
