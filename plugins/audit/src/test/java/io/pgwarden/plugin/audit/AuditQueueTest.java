package io.pgwarden.plugin.audit;

import static org.assertj.core.api.Assertions.assertThat;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class AuditQueueTest {

    private final TestServices services = new TestServices();
    private final AuditQueue queue = new AuditQueue(2, 1L << 20, services.counter("pgwarden.audit.dropped"), services.logger(),
            services.clock());

    private static AuditEvent event() {
        SessionFacts facts = new SessionFacts("s1", new InetSocketAddress("127.0.0.1", 1), "db", "u", null, null, null);
        return AuditEvent.of(AuditEvent.Type.SESSION_START, 0, facts, -1);
    }

    @Test
    void aFullQueueDropsCountsAndWarnsAtMostOncePerInterval() {
        assertThat(queue.offer(event())).isTrue();
        assertThat(queue.offer(event())).isTrue();

        assertThat(queue.offer(event())).isFalse();
        assertThat(queue.offer(event())).isFalse();
        services.clock.advance(Duration.ofMillis(AuditQueue.WARNING_INTERVAL_MILLIS - 1));
        assertThat(queue.offer(event())).isFalse();

        assertThat(queue.dropped()).isEqualTo(3);
        assertThat(services.count("pgwarden.audit.dropped")).isEqualTo(3);
        assertThat(services.logger.lines()).containsExactly("WARNING audit queue full (2 events, about 0 MiB waiting): dropped 1"
                + " events since the last warning, 1 in all");

        services.clock.advance(Duration.ofMillis(1));
        assertThat(queue.offer(event())).isFalse();
        assertThat(services.logger.lines()).hasSize(2).last().asString().contains("dropped 3 events since the last warning, 4 in all");
    }

    @Test
    void aDrainedQueueAcceptsAgain() throws InterruptedException {
        queue.offer(event());
        queue.offer(event());
        assertThat(queue.offer(event())).isFalse();

        assertThat(queue.poll(10)).isNotNull();
        assertThat(queue.offer(event())).as("a taken event's room comes back with its batch").isFalse();
        assertThat(queue.poll()).isNotNull();
        assertThat(queue.poll()).as("empty: the batch is given back").isNull();
        assertThat(queue.offer(event())).isTrue();
        assertThat(queue.offer(event())).isTrue();
        assertThat(queue.offer(event())).isFalse();
    }

    @Test
    void roomComesBackEveryBatchWhileTheQueueIsNeverEmpty() {
        AuditQueue bounded = new AuditQueue(AuditQueue.RELEASE_BATCH + 1, 1L << 30, services.counter("pgwarden.audit.dropped"),
                services.logger(), services.clock());
        for (int i = 0; i <= AuditQueue.RELEASE_BATCH; i++) {
            assertThat(bounded.offer(event())).isTrue();
        }
        assertThat(bounded.offer(event())).isFalse();
        for (int i = 0; i < AuditQueue.RELEASE_BATCH - 1; i++) {
            assertThat(bounded.poll()).isNotNull();
        }
        assertThat(bounded.offer(event())).as("one short of a batch").isFalse();

        assertThat(bounded.poll()).isNotNull();
        for (int i = 0; i < AuditQueue.RELEASE_BATCH; i++) {
            assertThat(bounded.offer(event())).as("a whole batch's room, while one event still waits").isTrue();
        }
        assertThat(bounded.offer(event())).isFalse();
        assertThat(bounded.dropped()).isEqualTo(3);
    }

    @Test
    void aWaitingPollIsWokenByAnOfferLongBeforeItsTimeout() throws Exception {
        CompletableFuture<Thread> pollerThread = new CompletableFuture<>();
        CompletableFuture<AuditEvent> polled = CompletableFuture.supplyAsync(() -> {
            pollerThread.complete(Thread.currentThread());
            try {
                return queue.poll(TimeUnit.MINUTES.toMillis(10));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        Thread poller = pollerThread.get(30, TimeUnit.SECONDS);
        while (poller.getState() != Thread.State.TIMED_WAITING) {
            Thread.onSpinWait();
        }
        AuditEvent event = event();
        queue.offer(event);

        assertThat(polled.get(30, TimeUnit.SECONDS)).isSameAs(event);
    }

    @Test
    void aPollWithNothingOfferedReturnsNullAfterItsTimeout() throws InterruptedException {
        assertThat(queue.poll(20)).isNull();
        assertThat(queue.poll()).isNull();
    }

    @Test
    void anInterruptedPollThrows() {
        Thread.currentThread().interrupt();
        assertThatThrownBy(() -> queue.poll(TimeUnit.MINUTES.toMillis(10))).isInstanceOf(InterruptedException.class);
    }

    @Test
    void concurrentOffersAcceptExactlyTheCapacityAndCountTheRest() throws Exception {
        AuditQueue bounded = new AuditQueue(1000, 1L << 30, services.counter("pgwarden.audit.dropped"), services.logger(),
                services.clock());
        int producers = 4;
        int each = 5000;
        AtomicInteger accepted = new AtomicInteger();
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(producers);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int p = 0; p < producers; p++) {
                done.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < each; i++) {
                        if (bounded.offer(event())) {
                            accepted.incrementAndGet();
                        }
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : done) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(accepted.get()).isEqualTo(1000);
        assertThat(bounded.dropped()).isEqualTo(producers * each - 1000);
        int taken = 0;
        while (bounded.poll() != null) {
            taken++;
        }
        assertThat(taken).isEqualTo(1000);
        assertThat(bounded.offer(event())).as("room again once drained").isTrue();
    }

    @Test
    void eventsHoldingMoreThanTheMemoryBoundAreDroppedUntilTheQueueDrains() throws InterruptedException {
        AuditQueue small = new AuditQueue(1000, 1L << 20, services.counter("pgwarden.audit.dropped"), services.logger(),
                services.clock());
        SessionFacts facts = new SessionFacts("s1", new InetSocketAddress("127.0.0.1", 1), "db", "u", null, null, null);
        AuditEvent big = new AuditEvent(AuditEvent.Type.STATEMENT, 0, facts, "SELECT '" + "x".repeat(300_000) + "'", 0, false,
                "SELECT 1", null, -1);
        assertThat(big.weight()).isGreaterThan(600_000);

        assertThat(small.offer(big)).isTrue();
        assertThat(small.offer(big)).as("two would hold more than 1 MiB").isFalse();
        assertThat(small.offer(event())).as("a small one still fits").isTrue();
        assertThat(small.dropped()).isEqualTo(1);

        assertThat(small.poll(10)).isSameAs(big);
        assertThat(small.offer(big)).as("room again once taken: over 1/64 of the bound is given back at once").isTrue();
    }

    @Test
    void aMemoryBoundTheCounterCannotHoldIsRefused() {
        assertThatThrownBy(() -> new AuditQueue(10, AuditQueue.MAX_MEMORY + 1, services.counter("pgwarden.audit.dropped"),
                services.logger(), services.clock())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new AuditQueue(10, 0, services.counter("pgwarden.audit.dropped"), services.logger(),
                services.clock())).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theLargestMemoryBoundStillCountsEventsAndBytesApart() throws InterruptedException {
        AuditQueue largest = new AuditQueue(3, AuditQueue.MAX_MEMORY, services.counter("pgwarden.audit.dropped"),
                services.logger(), services.clock());
        for (int i = 0; i < 3; i++) {
            assertThat(largest.offer(event())).isTrue();
        }
        assertThat(largest.offer(event())).as("the count bound, with the bytes far from theirs").isFalse();
        assertThat(largest.poll(10)).isNotNull();
        assertThat(largest.poll()).isNotNull();
        assertThat(largest.poll()).isNotNull();
        assertThat(largest.poll()).as("finding it empty gives the room back").isNull();
        assertThat(largest.offer(event())).isTrue();
    }
}
