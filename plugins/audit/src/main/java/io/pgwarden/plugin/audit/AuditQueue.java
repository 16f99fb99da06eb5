package io.pgwarden.plugin.audit;

import io.pgwarden.spi.Metrics;
import java.time.Clock;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The bounded hand-over between the hooks and the writer thread, bounded both in events and in the memory they
 * hold ({@link AuditEvent#weight()}). Hooks never wait: when the queue is full the event is dropped, counted in
 * {@code pgwarden.audit.dropped} and reported by a warning at most once per {@link #WARNING_INTERVAL_MILLIS}, with
 * the number dropped since the last one.
 *
 * <p>Lock-free, so that an offer never parks an event loop behind the writer: a {@link ConcurrentLinkedQueue}
 * bounded by one counter that holds both the number of events and their weight, so that an offer changes one word
 * that other threads share besides the queue's own. One thread takes events (the writer); while it waits for one, an
 * offer unparks it, and otherwise an offer makes no system call.
 *
 * <p>The taker gives the room of the events it took back to the bounds in batches: every {@link #RELEASE_BATCH}
 * events, when it has taken more than 1/64 of the memory bound, and whenever it finds the queue empty (before it
 * waits). The counter the event loops increase is then written by the writer once a batch rather than once an
 * event; the bounds count at most a batch of events that already left the queue.
 */
final class AuditQueue {

    /** The least time between two warnings about dropped events. */
    static final long WARNING_INTERVAL_MILLIS = 10_000;
    /** The most events taken before their room is given back. */
    static final int RELEASE_BATCH = 64;

    /** The largest {@code queue_memory}: the bytes and the count of {@link #waiting} share one long. */
    static final long MAX_MEMORY = 1L << 36;
    /** The bits of {@link #waiting} below the count: room for {@link #MAX_MEMORY} and the weights of offers over it. */
    private static final int COUNT_SHIFT = 40;
    private static final long BYTES_MASK = (1L << COUNT_SHIFT) - 1;
    private static final long ONE_EVENT = 1L << COUNT_SHIFT;

    /** Events waiting; each holds its {@link AuditEvent#weight()} in {@link #waiting}, computed again when it is taken. */
    private final ConcurrentLinkedQueue<AuditEvent> events = new ConcurrentLinkedQueue<>();
    /** The events waiting (above {@link #COUNT_SHIFT}) and the bytes they hold (below), both given back in batches. */
    private final AtomicLong waiting = new AtomicLong();
    private final int capacity;
    private final long maxBytes;
    /** The most weight taken before its room is given back. */
    private final long releaseWeight;
    /** Taken by the taker and not yet given back to {@link #waiting}; the taker's alone. */
    private int takenCount;
    private long takenWeight;
    /** The taking thread while it waits for an event, otherwise null. */
    private volatile Thread waiter;
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
     * @param maxBytes the most memory the waiting events may hold, by {@link AuditEvent#weight()}; at most
     *                 {@link #MAX_MEMORY}
     * @param droppedCounter counts dropped events
     * @param logger for the warnings
     * @param clock paces the warnings
     */
    AuditQueue(int capacity, long maxBytes, Metrics.Counter droppedCounter, System.Logger logger, Clock clock) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be positive: " + capacity);
        }
        if (maxBytes < 1 || maxBytes > MAX_MEMORY) {
            throw new IllegalArgumentException("the memory bound must be 1 to " + MAX_MEMORY + " bytes: " + maxBytes);
        }
        this.capacity = capacity;
        this.maxBytes = maxBytes;
        this.releaseWeight = Math.max(1, maxBytes / 64);
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
        long room = ONE_EVENT + event.weight();
        long after = waiting.addAndGet(room);
        if (after >>> COUNT_SHIFT <= capacity && (after & BYTES_MASK) <= maxBytes) {
            events.offer(event);
            Thread taker = waiter;
            if (taker != null) {
                LockSupport.unpark(taker);
            }
            return true;
        }
        after = waiting.addAndGet(-room);
        dropped.incrementAndGet();
        unreported.incrementAndGet();
        droppedCounter.increment();
        long now = clock.millis();
        long last = lastWarning.get();
        if ((last == Long.MIN_VALUE || now - last >= WARNING_INTERVAL_MILLIS) && lastWarning.compareAndSet(last, now)) {
            logger.log(System.Logger.Level.WARNING, "audit queue full (" + (after >>> COUNT_SHIFT) + " events, about "
                    + ((after & BYTES_MASK) >> 20) + " MiB waiting): dropped " + unreported.getAndSet(0) + " events since the last warning, " + dropped.get() + " in all");
        }
        return false;
    }

    /**
     * Waits for the next event; called by one thread only.
     *
     * @param timeoutMillis the longest wait
     * @return the event, or {@code null} when none came in time
     * @throws InterruptedException when the writer is stopped
     */
    AuditEvent poll(long timeoutMillis) throws InterruptedException {
        AuditEvent event = poll();
        if (event != null) {
            return event;
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        waiter = Thread.currentThread();
        try {
            // Looked at again after setting the waiter: an offer either sees the waiter or left its event for this poll.
            for (event = poll(); event == null; event = poll()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return null;
                }
                LockSupport.parkNanos(this, left);
                if (Thread.interrupted()) {
                    throw new InterruptedException();
                }
            }
            return event;
        } finally {
            waiter = null;
        }
    }

    /**
     * The next event without waiting; called by one thread only. Finding the queue empty gives back the room of
     * every event taken.
     *
     * @return the event, or {@code null}
     */
    AuditEvent poll() {
        AuditEvent next = events.poll();
        if (next == null) {
            release();
            return null;
        }
        takenCount++;
        takenWeight += next.weight();
        if (takenCount >= RELEASE_BATCH || takenWeight >= releaseWeight) {
            release();
        }
        return next;
    }

    /** Gives the room of the events taken since the last release back to the bounds. */
    private void release() {
        if (takenCount > 0) {
            waiting.addAndGet(-(takenCount * ONE_EVENT + takenWeight));
            takenCount = 0;
            takenWeight = 0;
        }
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
