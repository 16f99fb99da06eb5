package io.pgwarden.core.cli;

import io.pgwarden.core.logging.ProxyLogging;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;

/**
 * Blocks the command's thread until the JVM shuts down (SIGTERM, SIGINT), running a stop action in a
 * shutdown hook first, then writing out the log lines still queued (the stop action's last lines among them:
 * the JVM would end the asynchronous log writer with the hook). The process then ends with the signal's
 * status once the hook has finished.
 */
final class UntilSignal {

    private UntilSignal() {
    }

    /**
     * Registers {@code stop} as a shutdown hook and waits until it has run, or until {@code stoppedOtherwise}
     * completes (the admin console's SHUTDOWN stopped the server; the hook then finds it stopped).
     */
    static void await(Runnable stop, CompletionStage<?> stoppedOtherwise) throws InterruptedException {
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                stop.run();
            } finally {
                ProxyLogging.stop();
                stopped.countDown();
            }
        }, "pgwarden-shutdown"));
        stoppedOtherwise.whenComplete((done, error) -> stopped.countDown());
        stopped.await();
    }
}
