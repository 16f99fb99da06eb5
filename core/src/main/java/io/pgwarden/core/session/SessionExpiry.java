package io.pgwarden.core.session;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * The deadline interceptors set for a session with {@code AuthContext.expireAt}: the earliest one
 * wins, with its message. It is collected during onAuth; when onAuth is over it is sealed and its
 * timer started on the session's event loop, and the timer is cancelled when the session ends first.
 */
final class SessionExpiry {

    /** Further than this, a deadline is never reached by a running proxy, and is not scheduled. */
    static final Duration LONGEST = Duration.ofDays(3650);

    private Instant deadline;
    private String message;
    private boolean sealed;
    /** Only the event loop touches the timer. */
    private ScheduledFuture<?> timer;

    /**
     * A deadline set by an interceptor; kept when it is earlier than the one known.
     *
     * @throws IllegalStateException when onAuth is over
     */
    synchronized void offer(Instant at, String text) {
        Objects.requireNonNull(at, "deadline");
        Objects.requireNonNull(text, "message");
        if (sealed) {
            throw new IllegalStateException("expireAt can only be called during onAuth");
        }
        if (deadline == null || at.isBefore(deadline)) {
            deadline = at;
            message = text;
        }
    }

    /**
     * onAuth is over: no deadline is taken from now on, and the one set starts counting.
     *
     * @param clock what the deadline is measured against
     * @param loop the session's event loop, which runs {@code reached}
     * @param reached what to do at the deadline
     * @return false when the deadline has passed already (nothing is scheduled), true otherwise
     */
    boolean start(Clock clock, EventExecutor loop, Runnable reached) {
        Duration left;
        synchronized (this) {
            sealed = true;
            if (deadline == null) {
                return true;
            }
            left = Duration.between(clock.instant(), deadline);
        }
        if (left.isNegative() || left.isZero()) {
            return false;
        }
        if (left.compareTo(LONGEST) <= 0) {
            timer = loop.schedule(() -> {
                timer = null;
                reached.run();
            }, left.toNanos(), TimeUnit.NANOSECONDS);
        }
        return true;
    }

    /** The session ended: the deadline no longer matters. */
    void cancel() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    /** @return whether a timer is counting down */
    boolean counting() {
        return timer != null;
    }

    synchronized Instant deadline() {
        return deadline;
    }

    synchronized String message() {
        return message;
    }
}
