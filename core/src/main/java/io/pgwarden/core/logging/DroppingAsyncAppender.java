package io.pgwarden.core.logging;

import ch.qos.logback.classic.AsyncAppender;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Logback's asynchronous appender set so that logging never waits: events go into a bounded queue that one thread
 * writes out, and when the queue is full an event is dropped instead of stalling the thread that logs (an event
 * loop serving many sessions). Every level is kept while there is room. Drops are counted, and the next event that
 * finds room is preceded by a WARN line saying how many were lost.
 *
 * <p>The count is of the events this appender turns away because the queue is full; when two threads race for its
 * last place, the loser is dropped by Logback without being counted, so the number is a lower bound.
 */
public final class DroppingAsyncAppender extends AsyncAppender {

    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong droppedTotal = new AtomicLong();

    /** Never blocks and never discards below full, unlike Logback's defaults. */
    public DroppingAsyncAppender() {
        setNeverBlock(true);
        setDiscardingThreshold(0);
    }

    @Override
    protected void append(ILoggingEvent event) {
        if (getRemainingCapacity() == 0) {
            dropped.incrementAndGet();
            droppedTotal.incrementAndGet();
            return;
        }
        long lost = dropped.getAndSet(0);
        if (lost > 0) {
            super.append(droppedNotice(lost));
        }
        super.append(event);
    }

    /**
     * How many events were dropped since the start.
     *
     * @return the count
     */
    public long droppedTotal() {
        return droppedTotal.get();
    }

    private ILoggingEvent droppedNotice(long lost) {
        LoggerContext context = (LoggerContext) getContext();
        return new LoggingEvent(DroppingAsyncAppender.class.getName(), context.getLogger(DroppingAsyncAppender.class),
                Level.WARN, "{} log line(s) dropped: the log output could not keep up", null, new Object[] {lost});
    }
}
