package io.pgwarden.plugin.scram;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgwarden.testkit.spi.TestClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.junit.jupiter.api.Test;

class FailureThrottleTest {

    private static final FailureThrottle.Key ALICE = new FailureThrottle.Key("alice", "192.0.2.7");
    private static final FailureThrottle.Key BOB = new FailureThrottle.Key("bob", "192.0.2.7");

    private final TestClock clock = new TestClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final List<Runnable> scheduled = new ArrayList<>();
    private final List<Duration> scheduledDelays = new ArrayList<>();

    private FailureThrottle throttle(int lockoutAfter, int maxTracked) {
        return new FailureThrottle(new FailureThrottle.Settings(Duration.ofMillis(200), Duration.ofSeconds(5), lockoutAfter,
                Duration.ofMinutes(5), maxTracked), clock, delay -> {
                    scheduledDelays.add(delay);
                    Executor later = scheduled::add;
                    return later;
                });
    }

    @Test
    void delayDoublesWithEachFailureUpToTheMaximum() {
        FailureThrottle throttle = throttle(100, 10);
        List<Long> delays = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            delays.add(throttle.recordFailure(ALICE).toMillis());
        }
        assertThat(delays).containsExactly(200L, 400L, 800L, 1600L, 3200L, 5000L, 5000L, 5000L);
    }

    @Test
    void delayOfHugeCountsStaysAtTheMaximum() {
        FailureThrottle throttle = throttle(0, 10);
        assertThat(throttle.delayAfter(63)).isEqualTo(Duration.ofSeconds(5));
        assertThat(throttle.delayAfter(Integer.MAX_VALUE)).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void lockedOutAfterTheConfiguredNumberOfFailuresInARow() {
        FailureThrottle throttle = throttle(3, 10);
        throttle.recordFailure(ALICE);
        throttle.recordFailure(ALICE);
        assertThat(throttle.lockedOut(ALICE)).isFalse();
        throttle.recordFailure(ALICE);
        assertThat(throttle.lockedOut(ALICE)).isTrue();
        assertThat(throttle.lockedOut(BOB)).isFalse();
    }

    @Test
    void lockoutEndsWhenTheWindowHasPassedSinceTheLastFailure() {
        FailureThrottle throttle = throttle(3, 10);
        for (int i = 0; i < 3; i++) {
            throttle.recordFailure(ALICE);
        }
        clock.advance(Duration.ofMinutes(4));
        throttle.recordFailure(ALICE); // a failure while locked out extends the lockout
        clock.advance(Duration.ofMinutes(4));
        assertThat(throttle.lockedOut(ALICE)).isTrue();
        clock.advance(Duration.ofMinutes(1));
        assertThat(throttle.lockedOut(ALICE)).isFalse();
        assertThat(throttle.recordFailure(ALICE)).isEqualTo(Duration.ofMillis(200));
    }

    @Test
    void lockoutAfterZeroNeverLocksOut() {
        FailureThrottle throttle = throttle(0, 10);
        for (int i = 0; i < 50; i++) {
            throttle.recordFailure(ALICE);
        }
        assertThat(throttle.lockedOut(ALICE)).isFalse();
    }

    @Test
    void successForgetsTheCount() {
        FailureThrottle throttle = throttle(3, 10);
        throttle.recordFailure(ALICE);
        throttle.recordFailure(ALICE);
        throttle.recordSuccess(ALICE);
        assertThat(throttle.tracked()).isZero();
        assertThat(throttle.recordFailure(ALICE)).isEqualTo(Duration.ofMillis(200));
    }

    @Test
    void trackedKeysAreBoundedAndTheOldestLastFailureGoesFirst() {
        FailureThrottle throttle = throttle(2, 3);
        for (int i = 0; i < 3; i++) {
            throttle.recordFailure(new FailureThrottle.Key("user" + i, "192.0.2.1"));
            throttle.recordFailure(new FailureThrottle.Key("user" + i, "192.0.2.1"));
        }
        throttle.recordFailure(new FailureThrottle.Key("user0", "192.0.2.1")); // user0 is now the newest
        throttle.recordFailure(new FailureThrottle.Key("user3", "192.0.2.1"));

        assertThat(throttle.tracked()).isEqualTo(3);
        assertThat(throttle.lockedOut(new FailureThrottle.Key("user0", "192.0.2.1"))).isTrue();
        assertThat(throttle.lockedOut(new FailureThrottle.Key("user1", "192.0.2.1"))).isFalse();
        assertThat(throttle.lockedOut(new FailureThrottle.Key("user2", "192.0.2.1"))).isTrue();
    }

    @Test
    void expiredEntriesAreDroppedWhenOthersFail() {
        FailureThrottle throttle = throttle(3, 10);
        throttle.recordFailure(ALICE);
        clock.advance(Duration.ofMinutes(6));
        throttle.recordFailure(BOB);
        assertThat(throttle.tracked()).isEqualTo(1);
    }

    @Test
    void delayedAnswerCompletesOnlyWhenTheSchedulerRuns() {
        FailureThrottle throttle = throttle(3, 10);
        CompletableFuture<String> answer = throttle.after(Duration.ofMillis(400), "answer").toCompletableFuture();
        assertThat(answer).isNotDone();
        assertThat(scheduledDelays).containsExactly(Duration.ofMillis(400));
        scheduled.forEach(Runnable::run);
        assertThat(answer).isCompletedWithValue("answer");
        assertThat(throttle.after(Duration.ZERO, "now").toCompletableFuture()).isCompletedWithValue("now");
    }

    @Test
    void realSchedulerCompletesLaterOnAnotherThreadInsteadOfBlockingTheCaller() {
        FailureThrottle throttle = new FailureThrottle(new FailureThrottle.Settings(Duration.ofMillis(50), Duration.ofSeconds(1), 0,
                Duration.ofMinutes(1), 10), clock, FailureThrottle.delayingOn(Runnable::run));
        long start = System.nanoTime();
        Thread caller = Thread.currentThread();
        Thread completer = throttle.after(Duration.ofMillis(50), "late").thenApply(value -> Thread.currentThread())
                .toCompletableFuture().join();
        assertThat(completer).isNotSameAs(caller);
        assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(Duration.ofMillis(50).toNanos());
    }
}
