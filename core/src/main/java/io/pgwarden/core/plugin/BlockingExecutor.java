package io.pgwarden.core.plugin;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The bounded pool where hooks run blocking work. Bounded twice, in threads and in queued tasks,
 * so a slow backend makes hooks fail fast (the executor refuses the task with
 * {@link java.util.concurrent.RejectedExecutionException}) instead of growing the heap.
 */
final class BlockingExecutor {

    /** Threads unless configured otherwise: blocking work waits on I/O, not on the CPU. */
    static final int DEFAULT_THREADS = 16;
    /** Tasks that may wait for a thread before new ones are refused. */
    static final int DEFAULT_QUEUE = 1024;

    private static final AtomicInteger THREAD_NUMBER = new AtomicInteger();

    private BlockingExecutor() {
    }

    static ThreadPoolExecutor create(int threads, int queueCapacity) {
        if (threads < 1 || queueCapacity < 1) {
            throw new IllegalArgumentException("threads and queue capacity must be positive");
        }
        ThreadFactory factory = task -> {
            Thread thread = new Thread(task, "pgwarden-blocking-" + THREAD_NUMBER.incrementAndGet());
            thread.setDaemon(true);
            // Threads must not pin whichever plugin happened to start them.
            thread.setContextClassLoader(BlockingExecutor.class.getClassLoader());
            return thread;
        };
        ThreadPoolExecutor executor = new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(queueCapacity), factory, new ThreadPoolExecutor.AbortPolicy());
        executor.allowCoreThreadTimeOut(true);
        return executor;
    }
}
