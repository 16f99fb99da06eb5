package io.pgwarden.spi;

import java.util.function.Supplier;

/**
 * A minimal metrics facade; the core publishes what plugins record here on its Prometheus
 * endpoint. Names use dots ({@code pgwarden.auth.failures}); tags come as name/value pairs.
 */
public interface Metrics {

    /**
     * A monotonically growing count.
     *
     * @param name the metric name
     * @param description what it counts
     * @param tags name/value pairs
     * @return the counter, the same one for the same name and tags
     */
    Counter counter(String name, String description, String... tags);

    /**
     * A value sampled when metrics are read.
     *
     * @param name the metric name
     * @param description what it measures
     * @param value supplies the current value
     * @param tags name/value pairs
     */
    void gauge(String name, String description, Supplier<Number> value, String... tags);

    /**
     * A distribution of durations.
     *
     * @param name the metric name
     * @param description what it times
     * @param tags name/value pairs
     * @return the timer
     */
    Timer timer(String name, String description, String... tags);

    /** A counter. */
    interface Counter {
        /** Adds one. */
        void increment();
    }

    /** A timer. */
    interface Timer {
        /**
         * Records one duration.
         *
         * @param nanos the duration in nanoseconds
         */
        void record(long nanos);
    }
}
