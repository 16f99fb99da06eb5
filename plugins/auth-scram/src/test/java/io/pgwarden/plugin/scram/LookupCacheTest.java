package io.pgwarden.plugin.scram;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class LookupCacheTest {

    private final SourceTestServices.SteppingClock clock = new SourceTestServices.SteppingClock();
    private final AtomicInteger loads = new AtomicInteger();

    private LookupCache<String, String> cache(Duration ttl, Duration negativeTtl, int negativeMaxSize) {
        return new LookupCache<>(ttl, negativeTtl, negativeMaxSize, clock);
    }

    /** Loads "secret-of-KEY" for keys starting with "known", empty for others, counting loads. */
    private CompletionStage<Optional<String>> load(String key) {
        loads.incrementAndGet();
        return CompletableFuture.completedFuture(key.startsWith("known") ? Optional.of("secret-of-" + key) : Optional.empty());
    }

    private Optional<String> get(LookupCache<String, String> cache, String key) {
        return cache.get(key, this::load).toCompletableFuture().join();
    }

    @Test
    void foundValueIsReusedUntilItsTtlEnds() {
        LookupCache<String, String> cache = cache(Duration.ofSeconds(60), Duration.ofSeconds(5), 100);

        assertThat(get(cache, "known1")).contains("secret-of-known1");
        clock.advance(Duration.ofMillis(59_999));
        assertThat(get(cache, "known1")).contains("secret-of-known1");
        assertThat(loads).hasValue(1);

        clock.advance(Duration.ofMillis(1));
        assertThat(get(cache, "known1")).contains("secret-of-known1");
        assertThat(loads).as("loaded again after the TTL").hasValue(2);
    }

    @Test
    void notFoundIsRememberedForTheNegativeTtl() {
        LookupCache<String, String> cache = cache(Duration.ofSeconds(60), Duration.ofSeconds(5), 100);

        assertThat(get(cache, "mallory")).isEmpty();
        clock.advance(Duration.ofMillis(4_999));
        assertThat(get(cache, "mallory")).isEmpty();
        assertThat(loads).hasValue(1);

        clock.advance(Duration.ofMillis(1));
        assertThat(get(cache, "mallory")).isEmpty();
        assertThat(loads).hasValue(2);
    }

    @Test
    void negativeCacheHoldsAtMostItsSizeEvictingTheOldest() {
        LookupCache<String, String> cache = cache(Duration.ofSeconds(60), Duration.ofSeconds(5), 3);

        for (String user : List.of("u1", "u2", "u3", "u4")) {
            get(cache, user);
            clock.advance(Duration.ofMillis(10));
        }
        assertThat(cache.notFoundSize()).isEqualTo(3);
        loads.set(0);

        get(cache, "u4");
        get(cache, "u2");
        assertThat(loads).as("u2..u4 are remembered").hasValue(0);
        get(cache, "u1");
        assertThat(loads).as("u1, the oldest, was evicted").hasValue(1);
        assertThat(cache.notFoundSize()).isEqualTo(3);
    }

    @Test
    void manyUnknownNamesNeverGrowTheNegativeCachePastItsBound() {
        LookupCache<String, String> cache = cache(Duration.ofSeconds(60), Duration.ofSeconds(5), 1000);

        for (int i = 0; i < 50_000; i++) {
            get(cache, "stranger-" + i);
        }
        assertThat(cache.notFoundSize()).isEqualTo(1000);
    }

    @Test
    void expiredNotFoundsAreDroppedWhenNewOnesArrive() {
        LookupCache<String, String> cache = cache(Duration.ofSeconds(60), Duration.ofSeconds(5), 100);
        get(cache, "u1");
        get(cache, "u2");

        clock.advance(Duration.ofSeconds(5));
        get(cache, "u3");

        assertThat(cache.notFoundSize()).isEqualTo(1);
    }

    @Test
    void expiredFoundValuesAreSweptSoUsersWhoNeverReturnDoNotStay() {
        LookupCache<String, String> cache = cache(Duration.ofSeconds(60), Duration.ofSeconds(5), 100);
        for (int i = 0; i < 10; i++) {
            get(cache, "known" + i);
        }
        assertThat(cache.foundSize()).isEqualTo(10);

        clock.advance(Duration.ofSeconds(61));
        get(cache, "known-new");

        assertThat(cache.foundSize()).isEqualTo(1);
    }

    @Test
    void zeroTtlsCacheNothing() {
        LookupCache<String, String> cache = cache(Duration.ZERO, Duration.ZERO, 100);

        get(cache, "known1");
        get(cache, "known1");
        get(cache, "mallory");
        get(cache, "mallory");

        assertThat(loads).hasValue(4);
        assertThat(cache.foundSize()).isZero();
        assertThat(cache.notFoundSize()).isZero();
    }

    @Test
    void zeroNegativeSizeRemembersNoUnknownUser() {
        LookupCache<String, String> cache = cache(Duration.ofSeconds(60), Duration.ofSeconds(5), 0);

        get(cache, "mallory");
        get(cache, "mallory");

        assertThat(loads).hasValue(2);
    }

    @Test
    void concurrentLookupsOfOneKeyShareOneLoad() {
        LookupCache<String, String> cache = cache(Duration.ofSeconds(60), Duration.ofSeconds(5), 100);
        CompletableFuture<Optional<String>> pending = new CompletableFuture<>();
        List<CompletableFuture<Optional<String>>> answers = new ArrayList<>();

        for (int i = 0; i < 5; i++) {
            answers.add(cache.get("known1", key -> {
                loads.incrementAndGet();
                return pending;
            }).toCompletableFuture());
        }
        CompletableFuture<Optional<String>> other = cache.get("known2", this::load).toCompletableFuture();

        assertThat(loads).as("one load for known1, one for known2").hasValue(2);
        assertThat(answers).noneMatch(CompletableFuture::isDone);
        assertThat(other.join()).contains("secret-of-known2");
        pending.complete(Optional.of("shared"));
        assertThat(answers).allSatisfy(answer -> assertThat(answer.join()).contains("shared"));
    }

    @Test
    void callerCannotCompleteTheSharedLoadForOthers() {
        LookupCache<String, String> cache = cache(Duration.ofSeconds(60), Duration.ofSeconds(5), 100);
        CompletableFuture<Optional<String>> pending = new CompletableFuture<>();
        CompletableFuture<Optional<String>> first = cache.get("known1", key -> pending).toCompletableFuture();
        CompletableFuture<Optional<String>> second = cache.get("known1", key -> pending).toCompletableFuture();

        first.complete(Optional.of("forged"));
        pending.complete(Optional.of("real"));

        assertThat(second.join()).contains("real");
        assertThat(get(cache, "known1")).contains("real");
    }

    @Test
    void failedLoadIsNotCachedAndTheNextLookupLoadsAgain() {
        LookupCache<String, String> cache = cache(Duration.ofSeconds(60), Duration.ofSeconds(5), 100);
        CompletableFuture<Optional<String>> failed = cache.get("known1",
                key -> CompletableFuture.failedFuture(new IllegalStateException("database down"))).toCompletableFuture();

        assertThat(failed).isCompletedExceptionally();
        assertThat(failed.handle((value, e) -> e instanceof CompletionException ? e.getCause() : e).join())
                .isInstanceOf(IllegalStateException.class).hasMessage("database down");
        assertThat(get(cache, "known1")).contains("secret-of-known1");
        assertThat(loads).hasValue(1);
    }

    @Test
    void loaderThatThrowsFailsTheLookupAndReleasesTheKey() {
        LookupCache<String, String> cache = cache(Duration.ofSeconds(60), Duration.ofSeconds(5), 100);

        CompletableFuture<Optional<String>> failed = cache.get("known1", key -> {
            throw new IllegalArgumentException("no backend named x");
        }).toCompletableFuture();

        assertThat(failed).isCompletedExceptionally();
        assertThat(get(cache, "known1")).contains("secret-of-known1");
    }

    @Test
    void clearForgetsEverything() {
        LookupCache<String, String> cache = cache(Duration.ofSeconds(60), Duration.ofSeconds(5), 100);
        get(cache, "known1");
        get(cache, "mallory");

        cache.clear();
        get(cache, "known1");
        get(cache, "mallory");

        assertThat(loads).hasValue(4);
    }
}
