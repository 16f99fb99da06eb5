package io.pgwarden.core.pool;

import io.micrometer.core.instrument.Timer;
import io.pgwarden.core.protocol.backend.ErrorResponse;
import java.time.Duration;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The sessions waiting for a server of one {@link ServerPool}: one lock-free queue per event loop
 * (in its {@link LoopShard}), so that a server released on a loop goes first to a waiter of that
 * loop without moving the channel, and one count of all waiters, which the release path reads to
 * learn that nobody waits without looking at the queues.
 */
final class WaiterQueue {

    private final LoopShard[] shards;
    private final AtomicInteger waiting = new AtomicInteger();
    private final Timer waits;
    private final PoolTraffic traffic;

    WaiterQueue(LoopShard[] shards, Timer waits, PoolTraffic traffic) {
        this.shards = shards;
        this.waits = waits;
        this.traffic = traffic;
    }

    /** @return how many sessions wait, counting some that were cancelled but not yet polled */
    int size() {
        return waiting.get();
    }

    /**
     * Queues a waiter on the shard of its loop and starts its timers: after {@code wait}
     * (query_wait_timeout, zero for ever) it fails, after {@code reserveAfter} (null when the pool
     * has no reserve) {@code reserveDue} runs.
     */
    void add(LoopShard shard, Waiter waiter, Duration wait, Duration reserveAfter, Runnable reserveDue) {
        waiter.queued(System.nanoTime());
        // Queued before counted: whoever sees the count finds the waiter.
        shard.waiters.add(waiter);
        waiting.incrementAndGet();
        var timeout = wait.isZero() ? null
                : waiter.loop().schedule(() -> timedOut(shard, waiter, wait), wait.toMillis(), TimeUnit.MILLISECONDS);
        var reserve = reserveAfter == null ? null
                : waiter.loop().schedule(reserveDue, reserveAfter.toMillis(), TimeUnit.MILLISECONDS);
        waiter.timers(timeout, reserve);
    }

    /** Takes a waiter out of its shard's queue; false when it was no longer there. */
    boolean remove(LoopShard shard, Waiter waiter) {
        if (shard.waiters.remove(waiter)) {
            waiting.decrementAndGet();
            return true;
        }
        return false;
    }

    /** The next live waiter, of this loop first (no move of the server), else of the other loops. */
    Waiter next(LoopShard preferred) {
        Waiter waiter = next(preferred.waiters);
        if (waiter != null) {
            return waiter;
        }
        for (LoopShard shard : shards) {
            if (shard != preferred && (waiter = next(shard.waiters)) != null) {
                return waiter;
            }
        }
        return null;
    }

    private void timedOut(LoopShard shard, Waiter waiter, Duration wait) {
        if (waiter.claim()) {
            remove(shard, waiter);
            waited(waiter);
            waiter.fail(ErrorResponse.fatal("53300", "no server connection available within query_wait_timeout ("
                    + wait.toMillis() / 1000.0 + "s)"));
        }
    }

    private Waiter next(ConcurrentLinkedQueue<Waiter> queue) {
        Waiter waiter;
        while ((waiter = queue.poll()) != null) {
            waiting.decrementAndGet();
            if (!waiter.cancelled() && waiter.claim()) {
                waited(waiter);
                return waiter;
            }
        }
        return null;
    }

    /** Records how long a waiter that has just left the queue waited. */
    void waited(Waiter waiter) {
        long nanos = System.nanoTime() - waiter.queuedNanos();
        waits.record(nanos, TimeUnit.NANOSECONDS);
        traffic.waited(nanos);
    }
}
