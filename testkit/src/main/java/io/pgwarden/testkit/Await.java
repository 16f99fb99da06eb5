package io.pgwarden.testkit;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Waits for something a test cannot be told about, by polling it. */
public final class Await {

    private static final long POLL_MILLIS = 100;

    private Await() {
    }

    /**
     * Polls {@code condition} every 100 ms until it holds.
     *
     * @param what what is awaited, for the failure message
     * @param limit how long to wait at most
     * @param condition the condition
     * @throws AssertionError if the condition does not hold within {@code limit}
     * @throws InterruptedException if the thread is interrupted while it waits
     */
    public static void until(String what, Duration limit, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(what + " did not happen within " + limit);
            }
            Thread.sleep(POLL_MILLIS);
        }
    }
}
