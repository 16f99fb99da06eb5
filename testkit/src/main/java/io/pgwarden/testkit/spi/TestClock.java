package io.pgwarden.testkit.spi;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Objects;

/** A clock for plugin unit tests (SPI {@code Services.clock()}) that moves only when the test says so. */
public final class TestClock extends Clock {

    private volatile Instant now;

    /**
     * A clock standing at an instant.
     *
     * @param start the instant
     */
    public TestClock(Instant start) {
        this.now = Objects.requireNonNull(start, "start");
    }

    /**
     * A clock standing at the current whole second (JWT times are seconds).
     *
     * @return the clock
     */
    public static TestClock atCurrentSecond() {
        return new TestClock(Instant.ofEpochSecond(Instant.now().getEpochSecond()));
    }

    /**
     * Moves the clock on.
     *
     * @param duration how far
     */
    public void advance(Duration duration) {
        now = now.plus(duration);
    }

    /**
     * Sets the clock.
     *
     * @param instant the new time
     */
    public void set(Instant instant) {
        now = Objects.requireNonNull(instant, "instant");
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }

    @Override
    public Instant instant() {
        return now;
    }
}
