package io.pgwarden.it.oidc;

import static org.assertj.core.api.Assertions.assertThat;

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
 * Everything logged in this JVM while attached, with pgwarden's loggers (core and plugins) at DEBUG, where a token
 * is most likely to slip into a message. {@link #close()} detaches and restores the levels.
 */
final class OidcLogCapture implements AutoCloseable {

    private static final List<String> DEBUG_LOGGERS = List.of("io.pgwarden", "pgwarden");

    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
    private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    private final List<Level> previousLevels = new ArrayList<>();

    private OidcLogCapture() {
    }

    static OidcLogCapture start() {
        OidcLogCapture capture = new OidcLogCapture();
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
        synchronized (appender) {
            return appender.list.stream().map(OidcLogCapture::render).toList();
        }
    }

    /**
     * Fails when any line holds a token, or a token's signature on its own (a log that printed the token's parts
     * separately would leak it just the same).
     */
    void assertNoneOf(Collection<String> tokens) {
        List<String> lines = lines();
        for (String token : tokens) {
            String[] parts = token.split("\\.", -1);
            String signature = parts.length == 3 && parts[2].length() >= 16 ? parts[2] : null;
            for (String line : lines) {
                boolean leaks = line.contains(token) || (signature != null && line.contains(signature));
                if (leaks) {
                    // The report names the line with the secret cut out, so the failure does not spread it further.
                    String shown = line.replace(token, "<token>");
                    shown = signature == null ? shown : shown.replace(signature, "<token signature>");
                    assertThat(leaks).as("a log line shows a token: %s",
                            shown.length() > 300 ? shown.substring(0, 300) + "..." : shown).isFalse();
                }
            }
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
