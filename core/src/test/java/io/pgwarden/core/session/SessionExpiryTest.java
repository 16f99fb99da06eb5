package io.pgwarden.core.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.channel.embedded.EmbeddedChannel;
import io.pgwarden.spi.AuthContext;
import io.pgwarden.spi.BackendLogin;
import io.pgwarden.spi.ClientInfo;
import io.pgwarden.spi.Credential;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class SessionExpiryTest {

    private static final Instant NOW = Instant.parse("2026-11-21T12:00:00Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

    private final SessionExpiry expiry = new SessionExpiry();
    private final AtomicInteger reached = new AtomicInteger();
    private EmbeddedChannel channel;

    @BeforeEach
    void frozenLoop() {
        channel = new EmbeddedChannel();
        channel.freezeTime();
    }

    @AfterEach
    void close() {
        assertThat(channel.finish()).isFalse();
    }

    private boolean start() {
        return expiry.start(CLOCK, channel.eventLoop(), reached::incrementAndGet);
    }

    private void advanceMillis(long millis) {
        channel.advanceTimeBy(millis, TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
    }

    @Test
    void theEarliestDeadlineWinsWithItsMessageWhateverTheOrder() {
        expiry.offer(NOW.plusSeconds(60), "later");
        expiry.offer(NOW.plusSeconds(10), "earliest");
        expiry.offer(NOW.plusSeconds(30), "between");

        assertThat(expiry.deadline()).isEqualTo(NOW.plusSeconds(10));
        assertThat(expiry.message()).isEqualTo("earliest");
    }

    @Test
    void anEqualDeadlineKeepsTheFirstMessage() {
        expiry.offer(NOW.plusSeconds(10), "first");
        expiry.offer(NOW.plusSeconds(10), "second");

        assertThat(expiry.message()).isEqualTo("first");
    }

    @Test
    void theDeadlineIsReachedAtItsTimeAndNotBefore() {
        expiry.offer(NOW.plusSeconds(1), "expired");

        assertThat(start()).isTrue();
        assertThat(expiry.counting()).isTrue();
        advanceMillis(999);
        assertThat(reached).hasValue(0);
        advanceMillis(1);
        assertThat(reached).hasValue(1);
        assertThat(expiry.counting()).isFalse();
        advanceMillis(60_000);
        assertThat(reached).as("once").hasValue(1);
    }

    @Test
    void aDeadlineThatHasPassedSchedulesNothingAndSaysSo() {
        expiry.offer(NOW.minusSeconds(5), "expired five seconds ago");

        assertThat(start()).isFalse();
        assertThat(expiry.counting()).isFalse();
        assertThat(expiry.message()).isEqualTo("expired five seconds ago");
    }

    @Test
    void aDeadlineOfNowHasPassed() {
        expiry.offer(NOW, "now");

        assertThat(start()).isFalse();
    }

    @Test
    void noDeadlineSchedulesNothing() {
        assertThat(start()).isTrue();
        assertThat(expiry.counting()).isFalse();
        advanceMillis(Long.MAX_VALUE / 4_000_000);
        assertThat(reached).hasValue(0);
    }

    @Test
    void aDeadlineBeyondAnyUptimeIsNotScheduledAndDoesNotOverflow() {
        expiry.offer(Instant.MAX, "never");

        assertThat(start()).isTrue();
        assertThat(expiry.counting()).isFalse();
    }

    @Test
    void cancelStopsTheTimer() {
        expiry.offer(NOW.plusSeconds(1), "expired");
        start();

        expiry.cancel();
        advanceMillis(2_000);

        assertThat(reached).hasValue(0);
        assertThat(expiry.counting()).isFalse();
        expiry.cancel(); // twice is harmless
    }

    @Test
    void nothingIsTakenOnceOnAuthIsOver() {
        start();

        assertThatThrownBy(() -> expiry.offer(NOW.plusSeconds(1), "too late"))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("onAuth");
        assertThat(expiry.deadline()).isNull();
    }

    @Test
    void nullsAreRefused() {
        assertThatThrownBy(() -> expiry.offer(null, "m")).isInstanceOf(NullPointerException.class).hasMessageContaining("deadline");
        assertThatThrownBy(() -> expiry.offer(NOW, null)).isInstanceOf(NullPointerException.class).hasMessageContaining("message");
        assertThat(expiry.deadline()).isNull();
    }

    @Test
    void authContextExpireAtSetsTheSessionsDeadline() {
        SessionState state = new SessionState("00000001", new ClientInfo(new InetSocketAddress("127.0.0.1", 5432), null),
                Map.of("user", "alice"));
        AuthContext context = new AuthView(state, new BackendLogin("main", "app", "alice", Credential.none(), Map.of(), List.of()),
                expiry);

        context.expireAt(NOW.plusSeconds(20), "from the token");
        context.expireAt(NOW.plusSeconds(90), "from a policy");

        assertThat(expiry.deadline()).isEqualTo(NOW.plusSeconds(20));
        assertThat(expiry.message()).isEqualTo("from the token");
    }
}
