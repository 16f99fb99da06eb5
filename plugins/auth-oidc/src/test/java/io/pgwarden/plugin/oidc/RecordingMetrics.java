package io.pgwarden.plugin.oidc;

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

    long failures(String issuer, String reason) {
        return count(OidcMetrics.FAILURES + "{issuer=" + issuer + ",reason=" + reason + "}");
    }

    long logins(String issuer) {
        return count(OidcMetrics.LOGINS + "{issuer=" + issuer + "}");
    }

    /** The sum of every failure counter. */
    long allFailures() {
        return counts.entrySet().stream().filter(e -> e.getKey().startsWith(OidcMetrics.FAILURES + "{"))
                .mapToLong(e -> e.getValue().get()).sum();
    }

    long count(String key) {
        AtomicLong count = counts.get(key);
        return count == null ? -1 : count.get();
    }
}
