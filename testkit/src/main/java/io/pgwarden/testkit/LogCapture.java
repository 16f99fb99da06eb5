package io.pgwarden.it.auth;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * Everything logged in this JVM while it is attached, with pgwarden's own loggers (core and plugins) turned up to
 * DEBUG, where a secret is most likely to slip into a message. {@link #close()} detaches and restores the levels.
 */
final class LogCapture implements AutoCloseable {

    private static final List<String> DEBUG_LOGGERS = List.of("io.pgwarden", "pgwarden");

    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
    private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    private final List<Level> previousLevels = new ArrayList<>();

    private LogCapture() {
    }

    static LogCapture start() {
        LogCapture capture = new LogCapture();
        for (String name : DEBUG_LOGGERS) {
            Logger logger = (Logger) LoggerFactory.getLogger(name);
            capture.previousLevels.add(logger.getLevel());
            logger.setLevel(Level.DEBUG);
        }
        capture.appender.start();
        capture.root.addAppender(capture.appender);
        return capture;
    }

    /** Each event as one text: logger, level, message with its arguments, and any stack trace. */
    List<String> lines() {
        // Event loops append while the test reads; AppenderBase.doAppend holds the appender's lock.
        synchronized (appender) {
            return appender.list.stream().map(LogCapture::render).toList();
        }
    }

    private static String render(ILoggingEvent event) {
        String text = event.getLoggerName() + " " + event.getLevel() + " " + event.getFormattedMessage();
        return event.getThrowableProxy() == null ? text : text + "\n" + ThrowableProxyUtil.asString(event.getThrowableProxy());
    }

    @Override
    public void close() {
        root.detachAppender(appender);
        appender.stop();
        for (int i = 0; i < DEBUG_LOGGERS.size(); i++) {
            ((Logger) LoggerFactory.getLogger(DEBUG_LOGGERS.get(i))).setLevel(previousLevels.get(i));
        }
    }
}
