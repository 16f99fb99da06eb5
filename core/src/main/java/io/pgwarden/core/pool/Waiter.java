package io.pgwarden.core.pool;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import io.pgwarden.core.protocol.backend.ErrorResponse;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A session waiting for a server. Exactly one of {@link #deliver} and {@link #fail} reaches the
 * session, on its event loop; whoever wins {@link #claim()} calls it.
 */
public abstract class Waiter {

    private final EventLoop loop;
    private final AtomicBoolean claimed = new AtomicBoolean();
    private volatile ScheduledFuture<?> timeout;
    private volatile ScheduledFuture<?> reserve;
    private volatile long queuedNanos;

    /**
     * @param loop the session's event loop, where the server is delivered
     */
    protected Waiter(EventLoop loop) {
        this.loop = loop;
    }

    /** @return the event loop the server must be registered with before delivery */
    public final EventLoop loop() {
        return loop;
    }

    /**
     * A server for the session, on the session's event loop. The session owns it now and must give it
     * back through {@link ServerPool#release} or {@link ServerPool#discard}.
     *
     * @param server the server
     */
    protected abstract void deliver(PooledServer server);

    /**
     * No server: the wait timed out or a connection could not be made; on the session's event loop.
     *
     * @param error the FATAL error for the client
     */
    protected abstract void fail(ErrorResponse error);

    /**
     * Whether the session gave up waiting (it ended); a cancelled waiter is skipped.
     *
     * @return true when nobody needs a server any more
     */
    protected abstract boolean cancelled();

    final boolean claim() {
        if (!claimed.compareAndSet(false, true)) {
            return false;
        }
        ScheduledFuture<?> t = timeout;
        if (t != null) {
            t.cancel(false);
        }
        ScheduledFuture<?> r = reserve;
        if (r != null) {
            r.cancel(false);
        }
        return true;
    }

    final boolean claimed() {
        return claimed.get();
    }

    /** When the waiter entered a pool's queue, for the wait histogram. */
    final void queued(long nanos) {
        queuedNanos = nanos;
    }

    final long queuedNanos() {
        return queuedNanos;
    }

    final void timers(ScheduledFuture<?> timeoutTimer, ScheduledFuture<?> reserveTimer) {
        this.timeout = timeoutTimer;
        this.reserve = reserveTimer;
        if (claimed.get()) {
            if (timeoutTimer != null) {
                timeoutTimer.cancel(false);
            }
            if (reserveTimer != null) {
                reserveTimer.cancel(false);
            }
        }
    }
}
