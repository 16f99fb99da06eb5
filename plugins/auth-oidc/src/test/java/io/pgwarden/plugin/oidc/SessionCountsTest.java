package io.pgwarden.plugin.oidc;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgwarden.plugin.oidc.SessionCounts.GroupLimit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class SessionCountsTest {

    private final SessionCounts counts = new SessionCounts();

    private SessionCounts.Lease granted(SessionCounts.Result result) {
        assertThat(result).isInstanceOf(SessionCounts.Granted.class);
        return ((SessionCounts.Granted) result).lease();
    }

    @Test
    void aPersonGetsUpToTheLimitAndAReleasedSlotLetsTheNextIn() {
        SessionCounts.Lease first = granted(counts.acquire("alice", 2, List.of()));
        granted(counts.acquire("alice", 2, List.of()));

        assertThat(counts.acquire("alice", 2, List.of())).isEqualTo(new SessionCounts.Full(null, 2));
        assertThat(counts.person("alice")).isEqualTo(2);
        granted(counts.acquire("bob", 2, List.of()));

        first.release();
        assertThat(counts.person("alice")).isEqualTo(1);
        granted(counts.acquire("alice", 2, List.of()));
    }

    @Test
    void withoutAPersonLimitThePersonIsCountedButNeverRefused() {
        for (int i = 0; i < 100; i++) {
            granted(counts.acquire("alice", 0, List.of()));
        }
        assertThat(counts.person("alice")).isEqualTo(100);
    }

    @Test
    void aGroupLimitCountsEveryPersonOfTheGroup() {
        List<GroupLimit> analysts = List.of(new GroupLimit("analysts", 2));
        granted(counts.acquire("alice", 0, analysts));
        SessionCounts.Lease bob = granted(counts.acquire("bob", 0, analysts));

        assertThat(counts.acquire("carol", 0, analysts)).isEqualTo(new SessionCounts.Full("analysts", 2));
        granted(counts.acquire("carol", 0, List.of()));

        bob.release();
        granted(counts.acquire("carol", 0, analysts));
        assertThat(counts.group("analysts")).isEqualTo(2);
    }

    @Test
    void aRefusalTakesNothing() {
        granted(counts.acquire("bob", 0, List.of(new GroupLimit("admins", 1))));
        List<GroupLimit> both = List.of(new GroupLimit("analysts", 5), new GroupLimit("admins", 1));

        assertThat(counts.acquire("alice", 3, both)).isEqualTo(new SessionCounts.Full("admins", 1));

        assertThat(counts.person("alice")).isZero();
        assertThat(counts.group("analysts")).isZero();
        assertThat(counts.group("admins")).isEqualTo(1);
    }

    @Test
    void thePersonsOwnLimitIsNamedBeforeAFullGroup() {
        granted(counts.acquire("alice", 1, List.of(new GroupLimit("analysts", 1))));

        assertThat(counts.acquire("alice", 1, List.of(new GroupLimit("analysts", 1)))).isEqualTo(new SessionCounts.Full(null, 1));
    }

    @Test
    void aLeaseReleasedTwiceGivesItsSlotsBackOnce() {
        SessionCounts.Lease first = granted(counts.acquire("alice", 5, List.of(new GroupLimit("analysts", 5))));
        granted(counts.acquire("alice", 5, List.of(new GroupLimit("analysts", 5))));

        first.release();
        first.release();

        assertThat(counts.person("alice")).isEqualTo(1);
        assertThat(counts.group("analysts")).isEqualTo(1);
    }

    @Test
    void manyThreadsNeverPassTheLimitsAndLeaveNothingBehind() throws Exception {
        int threads = 16;
        int rounds = 2_000;
        List<GroupLimit> analysts = List.of(new GroupLimit("analysts", 5));
        AtomicInteger alice = new AtomicInteger();
        AtomicInteger group = new AtomicInteger();
        ConcurrentLinkedQueue<String> violations = new ConcurrentLinkedQueue<>();
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                String person = t % 2 == 0 ? "alice" : "person-" + t;
                results.add(pool.submit(() -> {
                    start.await();
                    int admitted = 0;
                    for (int i = 0; i < rounds; i++) {
                        if (counts.acquire(person, 3, analysts) instanceof SessionCounts.Granted granted) {
                            admitted++;
                            if (person.equals("alice") && alice.incrementAndGet() > 3) {
                                violations.add("alice held more than 3");
                            }
                            if (group.incrementAndGet() > 5) {
                                violations.add("analysts held more than 5");
                            }
                            Thread.onSpinWait();
                            group.decrementAndGet();
                            if (person.equals("alice")) {
                                alice.decrementAndGet();
                            }
                            granted.lease().release();
                        }
                    }
                    return admitted;
                }));
            }
            start.countDown();
            int admitted = 0;
            for (Future<Integer> result : results) {
                admitted += result.get(60, TimeUnit.SECONDS);
            }
            assertThat(admitted).isPositive();
        } finally {
            pool.shutdownNow();
        }

        assertThat(violations).isEmpty();
        assertThat(counts.person("alice")).isZero();
        assertThat(counts.group("analysts")).isZero();
        for (int i = 0; i < 5; i++) {
            granted(counts.acquire("person-" + i, 3, analysts));
        }
        assertThat(counts.acquire("someone", 3, analysts)).isEqualTo(new SessionCounts.Full("analysts", 5));
    }
}
