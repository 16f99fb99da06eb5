package io.pgwarden.testkit;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * Everything logged in this JVM while it is attached, with pgwarden's own loggers (core and plugins) turned up to
 * DEBUG, where a secret is most likely to slip into a message. {@link #close()} detaches and restores the levels.
 */
public final class LogCapture implements AutoCloseable {

    private static final List<String> DEBUG_LOGGERS = List.of("io.pgwarden", "pgwarden");

    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
    private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    private final List<Level> previousLevels = new ArrayList<>();

    private LogCapture() {
    }

    /**
     * Attaches to the root logger and turns pgwarden's loggers up to DEBUG.
     *
     * @return the running capture
     */
    public static LogCapture start() {
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

    /**
     * Each event as one text: logger, level, message with its arguments, and any stack trace.
     *
     * @return the lines so far
     */
    public List<String> lines() {
        // Event loops append while the test reads; AppenderBase.doAppend holds the appender's lock.
        synchronized (appender) {
            return appender.list.stream().map(LogCapture::render).toList();
        }
    }

    /**
     * Fails when any line holds one of the secrets, or, for a secret shaped like a JWT, its signature on
     * its own (a log that printed the parts separately would leak it just the same). The failure names
     * the line with the secret cut out, so that it does not spread further.
     *
     * @param secrets passwords, tokens, keys
     */
    public void assertNoneOf(Collection<String> secrets) {
        List<String> lines = lines();
        for (String secret : secrets) {
            String[] parts = secret.split("\\.", -1);
            String signature = parts.length == 3 && parts[2].length() >= 16 ? parts[2] : null;
            for (String line : lines) {
                if (line.contains(secret) || (signature != null && line.contains(signature))) {
                    String shown = line.replace(secret, "<secret>");
                    shown = signature == null ? shown : shown.replace(signature, "<token signature>");
                    throw new AssertionError("a log line shows a secret: "
                            + (shown.length() > 300 ? shown.substring(0, 300) + "..." : shown));
                }
            }
        }
    }

    private static String render(ILoggingEvent event) {
        String text = event.getLoggerName() + " " + event.getLevel() + " " + event.getFormattedMessage();
        return event.getThrowableProxy() == null ? text : text + "\n" + ThrowableProxyUtil.asString(event.getThrowableProxy());
    }

    /** Detaches and restores the loggers' levels. */
    @Override
    public void close() {
        root.detachAppender(appender);
        appender.stop();
        for (int i = 0; i < DEBUG_LOGGERS.size(); i++) {
            ((Logger) LoggerFactory.getLogger(DEBUG_LOGGERS.get(i))).setLevel(previousLevels.get(i));
        }
    }
}
