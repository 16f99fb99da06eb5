package io.pgwarden.plugin.scram;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Brute-force protection per (user, client address): failure n in a row is answered after
 * {@code min(delay * 2^(n-1), max_delay)}, and from {@code lockout_after} failures on every attempt
 * fails, even with the right password, until {@code lockout} has passed since the last failure. A
 * count is forgotten {@code lockout} after its last failure, on success, or when more than
 * {@code max_tracked} pairs are tracked (the pair whose last failure is oldest goes first).
 *
 * <p>Delays never block a thread: the answer is completed later by a scheduler.
 */
final class FailureThrottle {

    /**
     * The {@code failures} section.
     *
     * @param delay the delay after the first failure
     * @param maxDelay the longest delay
     * @param lockoutAfter failures in a row after which every attempt fails; 0 never locks out
     * @param lockout how long a count is kept after its last failure (and a lockout lasts)
     * @param maxTracked the most (user, address) pairs tracked
     */
    record Settings(Duration delay, Duration maxDelay, int lockoutAfter, Duration lockout, int maxTracked) {
        /** Checks for null. */
        Settings {
            Objects.requireNonNull(delay, "delay");
            Objects.requireNonNull(maxDelay, "maxDelay");
            Objects.requireNonNull(lockout, "lockout");
        }
    }

    /**
     * Whose failures are counted.
     *
     * @param user the user name from the startup packet
     * @param address the client's IP address, without port
     */
    record Key(String user, String address) {
    }

    private static final class Entry {
        private int failures;
        private Instant last;
    }

    private final Settings settings;
    private final Clock clock;
    private final Function<Duration, Executor> scheduler;
    // Insertion order is the order of last failures: an entry is re-inserted on each failure.
    private final LinkedHashMap<Key, Entry> entries = new LinkedHashMap<>();

    /**
     * Creates a throttle.
     *
     * @param settings the settings
     * @param clock the clock
     * @param scheduler gives an executor that runs its task after the duration
     */
    FailureThrottle(Settings settings, Clock clock, Function<Duration, Executor> scheduler) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
    }

    /**
     * The usual scheduler: waits without a thread, then runs on the given executor.
     *
     * @param executor where delayed answers complete
     * @return the scheduler
     */
    static Function<Duration, Executor> delayingOn(Executor executor) {
        return delay -> CompletableFuture.delayedExecutor(delay.toMillis(), TimeUnit.MILLISECONDS, executor);
    }

    /**
     * Tells whether the key is locked out now.
     *
     * @param key the key
     * @return true while every attempt must fail
     */
    synchronized boolean lockedOut(Key key) {
        Entry entry = current(key, clock.instant());
        return entry != null && settings.lockoutAfter() > 0 && entry.failures >= settings.lockoutAfter();
    }

    /**
     * Counts a failure.
     *
     * @param key the key
     * @return how long to wait before answering
     */
    synchronized Duration recordFailure(Key key) {
        Instant now = clock.instant();
        Entry entry = current(key, now);
        if (entry == null) {
            entry = new Entry();
        } else {
            entries.remove(key);
        }
        if (entry.failures < Integer.MAX_VALUE) {
            entry.failures++;
        }
        entry.last = now;
        entries.put(key, entry);
        trim(now);
        return delayAfter(entry.failures);
    }

    /**
     * Forgets the key's failures after a success.
     *
     * @param key the key
     */
    synchronized void recordSuccess(Key key) {
        entries.remove(key);
    }

    /**
     * How many keys are tracked.
     *
     * @return the number
     */
    synchronized int tracked() {
        return entries.size();
    }

    /**
     * Completes with a value after a delay.
     *
     * @param value the value
     * @param delay the delay; zero completes at once
     * @param <T> the value's type
     * @return the stage
     */
    <T> CompletionStage<T> after(Duration delay, T value) {
        if (delay.isZero()) {
            return CompletableFuture.completedFuture(value);
        }
        return CompletableFuture.supplyAsync(() -> value, scheduler.apply(delay));
    }

    /**
     * The delay before answering failure n.
     *
     * @param failures n, from 1
     * @return {@code min(delay * 2^(n-1), max_delay)}
     */
    Duration delayAfter(int failures) {
        long base = settings.delay().toMillis();
        long max = settings.maxDelay().toMillis();
        int shift = Math.max(0, failures - 1);
        if (base == 0) {
            return Duration.ZERO;
        }
        long millis = shift >= Long.numberOfLeadingZeros(base) - 1 ? max : Math.min(base << shift, max);
        return Duration.ofMillis(millis);
    }

    private Entry current(Key key, Instant now) {
        Entry entry = entries.get(key);
        if (entry != null && expired(entry, now)) {
            entries.remove(key);
            return null;
        }
        return entry;
    }

    private boolean expired(Entry entry, Instant now) {
        return !now.isBefore(entry.last.plus(settings.lockout()));
    }

    private void trim(Instant now) {
        Iterator<Map.Entry<Key, Entry>> oldestFirst = entries.entrySet().iterator();
        while (oldestFirst.hasNext()) {
            Map.Entry<Key, Entry> oldest = oldestFirst.next();
            if (entries.size() <= settings.maxTracked() && !expired(oldest.getValue(), now)) {
                return;
            }
            oldestFirst.remove();
        }
    }
}
