package io.pgwarden.plugin.scram;

import io.pgwarden.spi.Metrics;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The plugin's counters: {@code pgwarden.auth.failures} by method and reason, and
 * {@code pgwarden.auth.successes} by method. Every counter of the plugin's own methods is created up
 * front, so a scrape shows zeros instead of missing series.
 */
final class AuthMetrics {

    static final String FAILURES = "pgwarden.auth.failures";
    static final String SUCCESSES = "pgwarden.auth.successes";

    /** Why an attempt failed, as the {@code reason} tag gives it. */
    enum Reason {
        WRONG_PASSWORD("wrong_password"),
        UNKNOWN_USER("unknown_user"),
        NO_USABLE_SECRET("no_usable_secret"),
        CHANNEL_BINDING("channel_binding"),
        TLS_REQUIRED("tls_required"),
        LOCKED_OUT("locked_out"),
        PROTOCOL("protocol"),
        LOOKUP_ERROR("lookup_error");

        private final String tag;

        Reason(String tag) {
            this.tag = tag;
        }

        String tag() {
            return tag;
        }
    }

    private static final List<String> METHODS = List.of(ScramAuthenticator.SCRAM_METHOD, ScramAuthenticator.MD5_METHOD,
            PasswordAuthenticator.METHOD);

    private final Metrics metrics;
    private final Map<String, Map<Reason, Metrics.Counter>> failures = new ConcurrentHashMap<>();
    private final Map<String, Metrics.Counter> successes = new ConcurrentHashMap<>();

    AuthMetrics(Metrics metrics) {
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        for (String method : METHODS) {
            failuresOf(method);
            successes.computeIfAbsent(method, this::successCounter);
        }
    }

    /**
     * Counts a failed attempt.
     *
     * @param method the method
     * @param reason why
     */
    void failure(String method, Reason reason) {
        failuresOf(method).get(reason).increment();
    }

    /**
     * Counts an accepted client.
     *
     * @param method the method
     */
    void success(String method) {
        successes.computeIfAbsent(method, this::successCounter).increment();
    }

    private Map<Reason, Metrics.Counter> failuresOf(String method) {
        return failures.computeIfAbsent(method, m -> {
            Map<Reason, Metrics.Counter> counters = new EnumMap<>(Reason.class);
            for (Reason reason : Reason.values()) {
                counters.put(reason, metrics.counter(FAILURES, "client authentication failures", "method", m, "reason", reason.tag()));
            }
            return counters;
        });
    }

    private Metrics.Counter successCounter(String method) {
        return metrics.counter(SUCCESSES, "clients authenticated", "method", method);
    }
}
