package io.pgwarden.core.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import ch.qos.logback.core.AppenderBase;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The queue in front of standard error: a stuck output costs log lines, counted, never a wait. */
@Timeout(30)
class DroppingAsyncAppenderTest {

    private final LoggerContext context = new LoggerContext();

    DroppingAsyncAppenderTest() {
        context.setMDCAdapter(new LogbackMDCAdapter());
    }

    /** An output that hangs, like standard error into a pipe nobody reads, until released. */
    private static final class StuckOutput extends AppenderBase<ILoggingEvent> {
        final CountDownLatch release = new CountDownLatch(1);
        final CountDownLatch entered = new CountDownLatch(1);
        final List<String> written = new CopyOnWriteArrayList<>();

        @Override
        protected void append(ILoggingEvent event) {
            entered.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            written.add(event.getFormattedMessage());
        }
    }

    private LoggingEvent event(String message) {
        return new LoggingEvent("test", context.getLogger("test"), Level.DEBUG, message, null, null);
    }

    @Test
    void dropsAndCountsLinesInsteadOfWaitingForAStuckOutput() throws Exception {
        StuckOutput output = new StuckOutput();
        output.setContext(context);
        output.start();
        DroppingAsyncAppender async = new DroppingAsyncAppender();
        async.setContext(context);
        async.setQueueSize(2);
        async.addAppender(output);
        async.start();

        async.doAppend(event("first"));
        assertThat(output.entered.await(10, TimeUnit.SECONDS)).isTrue();
        long started = System.nanoTime();
        for (int i = 0; i < 100; i++) {
            async.doAppend(event("line " + i));
        }
        assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started)).as("logging did not wait").isLessThan(5);
        assertThat(async.droppedTotal()).isEqualTo(98);

        output.release.countDown();
        while (async.getNumberOfElementsInQueue() > 0) {
            Thread.sleep(10);
        }
        async.doAppend(event("after"));
        async.stop();

        assertThat(output.written).containsExactly("first", "line 0", "line 1",
                "98 log line(s) dropped: the log output could not keep up", "after");
    }
}
