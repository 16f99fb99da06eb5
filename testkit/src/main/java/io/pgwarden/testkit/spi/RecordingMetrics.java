package io.pgwarden.testkit.spi;

import io.pgwarden.spi.Metrics;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * A plugin's {@link Metrics} (SPI {@code Services.metrics()}) that keeps its counters by
 * {@code name{tag=value,...}}, tags in the order given; gauges and timers are accepted and ignored.
 */
public class RecordingMetrics implements Metrics {

    private final Map<String, AtomicLong> counts = new ConcurrentHashMap<>();

    @Override
    public Counter counter(String name, String description, String... tags) {
        StringBuilder key = new StringBuilder(name).append('{');
        for (int i = 0; i < tags.length; i += 2) {
            key.append(i == 0 ? "" : ",").append(tags[i]).append('=').append(tags[i + 1]);
        }
        AtomicLong count = counts.computeIfAbsent(key.append('}').toString(), k -> new AtomicLong());
        return count::incrementAndGet;
    }

    @Override
    public void gauge(String name, String description, Supplier<Number> value, String... tags) {
    }

    @Override
    public Timer timer(String name, String description, String... tags) {
        return nanos -> { };
    }

    /**
     * A counter's value.
     *
     * @param key {@code name{tag=value,...}}
     * @return the count, or -1 when no such counter was made
     */
    public long count(String key) {
        AtomicLong count = counts.get(key);
        return count == null ? -1 : count.get();
    }

    /**
     * Every counter made so far and its value.
     *
     * @return the live map
     */
    public Map<String, AtomicLong> counts() {
        return counts;
    }
}
