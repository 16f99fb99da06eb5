package io.pgwarden.plugin.audit;

import io.pgwarden.spi.Metrics;
import java.time.Clock;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The bounded hand-over between the hooks and the writer thread. Hooks never wait: when the queue is full the
 * event is dropped, counted in {@code pgwarden.audit.dropped} and reported by a warning at most once per
 * {@link #WARNING_INTERVAL_MILLIS}, with the number dropped since the last one.
 */
final class AuditQueue {

    /** The least time between two warnings about dropped events. */
    static final long WARNING_INTERVAL_MILLIS = 10_000;

    private final BlockingQueue<AuditEvent> events;
    private final Metrics.Counter droppedCounter;
    private final System.Logger logger;
    private final Clock clock;
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong unreported = new AtomicLong();
    private final AtomicLong lastWarning = new AtomicLong(Long.MIN_VALUE);

    /**
     * A queue.
     *
     * @param capacity the most events waiting
     * @param droppedCounter counts dropped events
     * @param logger for the warnings
     * @param clock paces the warnings
     */
    AuditQueue(int capacity, Metrics.Counter droppedCounter, System.Logger logger, Clock clock) {
        this.events = new ArrayBlockingQueue<>(capacity);
        this.droppedCounter = Objects.requireNonNull(droppedCounter, "droppedCounter");
        this.logger = Objects.requireNonNull(logger, "logger");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * Hands an event to the writer, or drops it when the queue is full.
     *
     * @param event the event
     * @return false when it was dropped
     */
    boolean offer(AuditEvent event) {
        if (events.offer(event)) {
            return true;
        }
        dropped.incrementAndGet();
        unreported.incrementAndGet();
        droppedCounter.increment();
        long now = clock.millis();
        long last = lastWarning.get();
        if ((last == Long.MIN_VALUE || now - last >= WARNING_INTERVAL_MILLIS) && lastWarning.compareAndSet(last, now)) {
            logger.log(System.Logger.Level.WARNING, "audit queue full (" + events.size() + " events waiting): dropped "
                    + unreported.getAndSet(0) + " events since the last warning, " + dropped.get() + " in all");
        }
        return false;
    }

    /**
     * Waits for the next event.
     *
     * @param timeoutMillis the longest wait
     * @return the event, or {@code null} when none came in time
     * @throws InterruptedException when the writer is stopped
     */
    AuditEvent poll(long timeoutMillis) throws InterruptedException {
        return events.poll(timeoutMillis, TimeUnit.MILLISECONDS);
    }

    /**
     * The next event without waiting.
     *
     * @return the event, or {@code null}
     */
    AuditEvent poll() {
        return events.poll();
    }

    /**
     * How many events were dropped since the plugin started.
     *
     * @return the count
     */
    long dropped() {
        return dropped.get();
    }
}
