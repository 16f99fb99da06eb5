package io.pgwarden.core.logging;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.AsyncAppenderBase;
import ch.qos.logback.core.OutputStreamAppender;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.slf4j.ILoggerFactory;
import org.slf4j.LoggerFactory;

/**
 * The command line's hold on Logback: it switches the format of pgwarden's own log lines and, at exit, writes out
 * the lines still queued for the asynchronous appender. With a logging configuration of the user's own
 * ({@code -Dlogback.configurationFile}) that does not use {@link LogLineEncoder}, switching changes nothing: that
 * file decides the format.
 */
public final class ProxyLogging {

    private ProxyLogging() {
    }

    /**
     * Writes every {@link LogLineEncoder} of the root logger's appenders (also behind an asynchronous appender) in
     * this format from now on.
     *
     * @param format the format
     * @return how many encoders were switched: 0 under a configuration of the user's own that uses none
     */
    public static int use(LogFormat format) {
        int switched = 0;
        for (LogLineEncoder encoder : encoders()) {
            encoder.use(format);
            switched++;
        }
        return switched;
    }

    /**
     * Stops logging: the asynchronous appender writes what it still holds (waiting up to its {@code maxFlushTime})
     * and the appenders close. Called once the command is done, and in the shutdown hook after the proxy has
     * stopped, so that the last lines are not lost with the JVM.
     */
    public static void stop() {
        ILoggerFactory factory = LoggerFactory.getILoggerFactory();
        if (factory instanceof LoggerContext context) {
            context.stop();
        }
    }

    private static List<LogLineEncoder> encoders() {
        List<LogLineEncoder> found = new ArrayList<>();
        if (LoggerFactory.getILoggerFactory() instanceof LoggerContext context) {
            Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
            for (Iterator<Appender<ILoggingEvent>> it = root.iteratorForAppenders(); it.hasNext(); ) {
                collect(it.next(), found);
            }
        }
        return found;
    }

    private static <E> void collect(Appender<E> appender, List<LogLineEncoder> found) {
        if (appender instanceof AsyncAppenderBase<E> async) {
            for (Iterator<Appender<E>> it = async.iteratorForAppenders(); it.hasNext(); ) {
                collect(it.next(), found);
            }
        } else if (appender instanceof OutputStreamAppender<E> output && output.getEncoder() instanceof LogLineEncoder encoder) {
            found.add(encoder);
        }
    }
}
