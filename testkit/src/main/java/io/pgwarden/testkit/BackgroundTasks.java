package io.pgwarden.testkit;

import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Threads for the blocking client calls a test runs at the same time (a query that sleeps while another client
 * works, many clients contending for a pool). One thread per task: the common fork-join pool has a single thread
 * on a two-core machine and would run blocking calls one after another. {@link #close()} interrupts what still
 * runs and waits for it.
 */
public final class BackgroundTasks implements AutoCloseable {

    private final AtomicInteger threads = new AtomicInteger();
    private final ExecutorService executor = Executors.newCachedThreadPool(task -> {
        Thread thread = new Thread(task, "test-background-" + threads.incrementAndGet());
        thread.setDaemon(true);
        return thread;
    });

    /** Runs {@code task} on a thread of its own. */
    public <T> Future<T> submit(Callable<T> task) {
        return executor.submit(task);
    }

    /** Interrupts the tasks still running and waits up to ten seconds for them to end. */
    @Override
    public void close() {
        executor.shutdownNow();
        try {
            if (!executor.awaitTermination(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("background tasks still running ten seconds after close");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
