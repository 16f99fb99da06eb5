package io.pgwarden.plugin.audit;

import io.pgwarden.spi.Metrics;
import java.time.Clock;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts the events one sink drops in {@code pgwarden.audit.dropped{sink=NAME}} and warns at most once per
 * {@link AuditQueue#WARNING_INTERVAL_MILLIS}, with the number dropped since the last warning. Safe from any thread.
 */
final class DropReport {

    private final String sink;
    private final Metrics.Counter counter;
    private final System.Logger logger;
    private final Clock clock;
    private final AtomicLong unreported = new AtomicLong();
    private final AtomicLong lastWarning = new AtomicLong(Long.MIN_VALUE);

    /**
     * A report.
     *
     * @param sink the sink's name
     * @param counter its tagged counter
     * @param logger for the warnings
     * @param clock paces them
     */
    DropReport(String sink, Metrics.Counter counter, System.Logger logger, Clock clock) {
        this.sink = Objects.requireNonNull(sink, "sink");
        this.counter = Objects.requireNonNull(counter, "counter");
        this.logger = Objects.requireNonNull(logger, "logger");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * Counts dropped events whose cause the caller logs itself.
     *
     * @param events how many
     */
    void count(long events) {
        for (long i = 0; i < events; i++) {
            counter.increment();
        }
    }

    /**
     * Counts dropped events and warns when the last warning is old enough.
     *
     * @param events how many
     * @param why the reason, for the warning
     */
    void dropped(long events, String why) {
        count(events);
        unreported.addAndGet(events);
        long now = clock.millis();
        long last = lastWarning.get();
        if ((last == Long.MIN_VALUE || now - last >= AuditQueue.WARNING_INTERVAL_MILLIS) && lastWarning.compareAndSet(last, now)) {
            logger.log(System.Logger.Level.WARNING, "audit " + sink + " sink dropped " + unreported.getAndSet(0)
                    + " events since the last warning: " + why);
        }
    }
}
