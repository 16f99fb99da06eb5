package io.pgwarden.plugin.scram;

import io.pgwarden.testkit.spi.CapturingLogger;
import io.pgwarden.testkit.spi.TestClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@link AuthResources} for unit tests: an in-memory source, a clock the test moves, delays that
 * are recorded instead of waited for, a blocking executor that runs in place and counts its tasks.
 */
final class TestResources {

    static final int ITERATIONS = 4096;

    final InMemoryCredentialSource source = new InMemoryCredentialSource();
    final TestClock clock = new TestClock(Instant.parse("2026-01-01T00:00:00Z"));
    final RecordingMetrics metrics = new RecordingMetrics();
    final CapturingLogger logger = new CapturingLogger();
    final List<Duration> delays = new CopyOnWriteArrayList<>();
    final AtomicInteger blockingTasks = new AtomicInteger();
    final MockSecrets mocks = new MockSecrets(new byte[32], ITERATIONS);
    final FailureThrottle throttle;
    final AuthResources resources;

    TestResources() {
        this(new FailureThrottle.Settings(Duration.ofMillis(200), Duration.ofSeconds(5), 10, Duration.ofMinutes(5), 100_000));
    }

    TestResources(FailureThrottle.Settings failures) {
        Executor blocking = task -> {
            blockingTasks.incrementAndGet();
            task.run();
        };
        throttle = new FailureThrottle(failures, clock, delay -> {
            delays.add(delay);
            return Runnable::run;
        });
        resources = new AuthResources(source, mocks, throttle, new AuthMetrics(metrics), blocking, logger);
    }
}
