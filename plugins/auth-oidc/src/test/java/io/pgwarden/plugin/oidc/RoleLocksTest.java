package io.pgwarden.plugin.oidc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class RoleLocksTest {

    private final RoleLocks locks = new RoleLocks();

    @Test
    void workForOneRoleRunsOneAtATimeAndTheLockGoesAwayAfterwards() throws Exception {
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        ExecutorService threads = Executors.newFixedThreadPool(8);
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                results.add(threads.submit(() -> locks.withLock("alice", () -> {
                    most.accumulateAndGet(inside.incrementAndGet(), Math::max);
                    Thread.sleep(2);
                    return inside.decrementAndGet();
                })));
            }
            for (Future<Integer> result : results) {
                result.get(10, TimeUnit.SECONDS);
            }
        } finally {
            threads.shutdownNow();
        }
        assertThat(most.get()).isEqualTo(1);
        assertThat(locks.size()).isZero();
    }

    @Test
    void differentRolesDoNotWaitForEachOther() throws Exception {
        String result = locks.withLock("alice", () -> {
            ExecutorService other = Executors.newSingleThreadExecutor();
            try {
                return other.submit(() -> locks.withLock("bob", () -> "bob ran")).get(5, TimeUnit.SECONDS);
            } finally {
                other.shutdownNow();
            }
        });
        assertThat(result).isEqualTo("bob ran");
        assertThat(locks.size()).isZero();
    }

    @Test
    void theLockIsReleasedWhenTheWorkThrows() throws Exception {
        assertThatThrownBy(() -> locks.withLock("alice", () -> {
            throw new IOException("boom");
        })).isInstanceOf(IOException.class).hasMessage("boom");
        assertThat(locks.size()).isZero();
        assertThat(locks.withLock("alice", () -> "again")).isEqualTo("again");
    }
}
