package io.pgwarden.it.pool;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * The proxy's pinning log lines ({@code [<session>] pinned to its server connection: <reason>}), captured by a
 * Logback appender on the root logger for as long as the test class runs.
 */
final class PinLog implements AutoCloseable {

    /** What every pinning line contains, before the reason. */
    static final String MARKER = "pinned to its server connection: ";

    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
    private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);

    private PinLog() {
    }

    /** Starts capturing. */
    static PinLog capture() {
        PinLog log = new PinLog();
        log.appender.start();
        log.root.addAppender(log.appender);
        return log;
    }

    /** Every pinning line so far, formatted. */
    List<String> lines() {
        // Event loops append while the test reads; AppenderBase.doAppend holds the appender's lock.
        synchronized (appender) {
            return appender.list.stream().map(ILoggingEvent::getFormattedMessage).filter(line -> line.contains(MARKER))
                    .toList();
        }
    }

    /** The pinning lines logged after the first {@code skip}. */
    List<String> linesAfter(int skip) {
        List<String> all = lines();
        return all.subList(Math.min(skip, all.size()), all.size());
    }

    /** Stops capturing. */
    @Override
    public void close() {
        root.detachAppender(appender);
        appender.stop();
    }
}
