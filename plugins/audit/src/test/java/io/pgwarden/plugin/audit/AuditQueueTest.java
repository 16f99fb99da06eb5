package io.pgwarden.plugin.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class AuditQueueTest {

    private final TestServices services = new TestServices();
    private final AuditQueue queue = new AuditQueue(2, services.counter("pgwarden.audit.dropped"), services.logger(), services.clock());

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
        assertThat(services.logger.lines()).containsExactly("WARNING audit queue full (2 events waiting): dropped 1 events since the last"
                + " warning, 1 in all");

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
        assertThat(queue.offer(event())).isTrue();
        assertThat(queue.poll()).isNotNull();
        assertThat(queue.poll()).isNotNull();
        assertThat(queue.poll()).isNull();
    }
}
