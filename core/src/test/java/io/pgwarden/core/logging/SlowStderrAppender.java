package io.pgwarden.core.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;

/**
 * Standard error that takes 100 ms per line, as a slow pipe would: lines wait in the asynchronous appender's queue,
 * so a test sees whether the queue is written out before the JVM ends. Used by logback-slow-stderr.xml.
 */
public final class SlowStderrAppender extends ConsoleAppender<ILoggingEvent> {

    @Override
    protected void subAppend(ILoggingEvent event) {
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        super.subAppend(event);
    }
}
