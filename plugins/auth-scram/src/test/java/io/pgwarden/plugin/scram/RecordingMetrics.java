package io.pgwarden.plugin.scram;

import io.pgwarden.spi.Metrics;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/** Metrics that keep counts by {@code name{tag=value,...}}. */
final class RecordingMetrics implements Metrics {

    final Map<String, AtomicLong> counts = new ConcurrentHashMap<>();

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

    long failures(String method, String reason) {
        return count(AuthMetrics.FAILURES + "{method=" + method + ",reason=" + reason + "}");
    }

    long successes(String method) {
        return count(AuthMetrics.SUCCESSES + "{method=" + method + "}");
    }

    long count(String key) {
        AtomicLong count = counts.get(key);
        return count == null ? -1 : count.get();
    }
}
