package io.pgwarden.plugin.scram;

import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * Remembers lookups: a found value for {@code ttl}, a not-found for {@code negativeTtl} (at most
 * {@code negativeMaxSize} of those, the oldest evicted first), failures not at all. Concurrent
 * lookups of a key that is not cached share one load. Time comes from a {@link Clock}, so tests can
 * move it.
 *
 * <p>Why a negative cache: a client retrying an unknown user name would otherwise cost a query each
 * time; why bounded: the names are the client's choice.
 *
 * @param <K> the key
 * @param <V> the value
 */
final class LookupCache<K, V> {

    private final long ttlMillis;
    private final long negativeTtlMillis;
    private final int negativeMaxSize;
    private final Clock clock;

    private final Object lock = new Object();
    private final Map<K, Found<V>> found = new HashMap<>();
    /** In insertion order, which is expiry order: the TTL is the same for all. */
    private final LinkedHashMap<K, Long> notFound = new LinkedHashMap<>();
    private final Map<K, CompletableFuture<Optional<V>>> loading = new HashMap<>();
    private long nextSweep;

    /**
     * Creates a cache.
     *
     * @param ttl how long a found value is reused; zero disables
     * @param negativeTtl how long a not-found is remembered; zero disables
     * @param negativeMaxSize at most this many not-founds remembered; zero disables
     * @param clock the clock
     */
    LookupCache(Duration ttl, Duration negativeTtl, int negativeMaxSize, Clock clock) {
        if (ttl.isNegative() || negativeTtl.isNegative() || negativeMaxSize < 0) {
            throw new IllegalArgumentException("negative TTL or size");
        }
        this.ttlMillis = ttl.toMillis();
        this.negativeTtlMillis = negativeTtl.toMillis();
        this.negativeMaxSize = negativeMaxSize;
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * Gives the cached answer for a key, or joins the load in flight for it, or starts a load.
     *
     * @param key the key
     * @param loader loads a key; called at most once at a time per key, on the caller's thread (it
     *     should hand blocking work to an executor)
     * @return completes with the value or empty, or fails as the load failed
     */
    CompletionStage<Optional<V>> get(K key, Function<? super K, ? extends CompletionStage<Optional<V>>> loader) {
        Objects.requireNonNull(key, "key");
        CompletableFuture<Optional<V>> load;
        synchronized (lock) {
            long now = clock.millis();
            Found<V> hit = found.get(key);
            if (hit != null) {
                if (now < hit.expires()) {
                    return CompletableFuture.completedFuture(Optional.of(hit.value()));
                }
                found.remove(key);
            }
            Long negativeExpiry = notFound.get(key);
            if (negativeExpiry != null) {
                if (now < negativeExpiry) {
                    return CompletableFuture.completedFuture(Optional.empty());
                }
                notFound.remove(key);
            }
            CompletableFuture<Optional<V>> running = loading.get(key);
            if (running != null) {
                return running.copy();
            }
            load = new CompletableFuture<>();
            loading.put(key, load);
        }
        CompletionStage<Optional<V>> stage;
        try {
            stage = Objects.requireNonNull(loader.apply(key), "the loader returned null");
        } catch (RuntimeException e) {
            stage = CompletableFuture.failedFuture(e);
        }
        stage.whenComplete((value, failure) -> {
            synchronized (lock) {
                loading.remove(key);
                if (failure == null) {
                    remember(key, value);
                }
            }
            if (failure != null) {
                load.completeExceptionally(failure);
            } else {
                load.complete(value);
            }
        });
        return load.copy();
    }

    /** Forgets everything cached; loads in flight finish and are remembered. */
    void clear() {
        synchronized (lock) {
            found.clear();
            notFound.clear();
        }
    }

    /** The number of found values held, expired or not. */
    int foundSize() {
        synchronized (lock) {
            return found.size();
        }
    }

    /** The number of not-founds held, expired or not. */
    int notFoundSize() {
        synchronized (lock) {
            return notFound.size();
        }
    }

    private void remember(K key, Optional<V> value) {
        long now = clock.millis();
        if (value != null && value.isPresent()) {
            if (ttlMillis > 0) {
                sweepFound(now);
                found.put(key, new Found<>(value.get(), now + ttlMillis));
            }
            return;
        }
        if (negativeTtlMillis <= 0 || negativeMaxSize == 0) {
            return;
        }
        Iterator<Long> oldest = notFound.values().iterator();
        while (oldest.hasNext()) {
            if (oldest.next() > now) {
                break;
            }
            oldest.remove();
        }
        notFound.remove(key);
        notFound.put(key, now + negativeTtlMillis);
        while (notFound.size() > negativeMaxSize) {
            Iterator<K> eldest = notFound.keySet().iterator();
            eldest.next();
            eldest.remove();
        }
    }

    /** Drops expired found values, at most once per TTL, so that users who never return do not stay. */
    private void sweepFound(long now) {
        if (now < nextSweep) {
            return;
        }
        nextSweep = now + ttlMillis;
        found.values().removeIf(entry -> entry.expires() <= now);
    }

    private record Found<V>(V value, long expires) {
    }
}
