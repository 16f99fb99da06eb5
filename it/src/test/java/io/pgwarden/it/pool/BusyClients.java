package io.pgwarden.it.pool;

import io.pgwarden.testkit.ProxyFixture;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Clients that run one short transaction after another through a pool in the background, each asking for its
 * backend pid, so a test sees which servers the pool hands out while its own clients work.
 */
final class BusyClients implements AutoCloseable {

    private final ExecutorService threads;
    private final List<Future<Void>> loops = new ArrayList<>();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Set<Integer> pids = ConcurrentHashMap.newKeySet();
    private final AtomicInteger transactions = new AtomicInteger();

    private BusyClients(int count) {
        threads = Executors.newFixedThreadPool(count);
    }

    /** Starts {@code count} clients of {@code proxy}. */
    static BusyClients start(ProxyFixture proxy, int count) {
        BusyClients clients = new BusyClients(count);
        for (int i = 0; i < count; i++) {
            clients.loops.add(clients.threads.submit(() -> {
                try (Connection connection = PoolBackend.connect(proxy, "")) {
                    while (clients.running.get()) {
                        clients.pids.add(PoolBackend.backendPid(connection));
                        clients.transactions.incrementAndGet();
                        Thread.sleep(1);
                    }
                }
                return null;
            }));
        }
        return clients;
    }

    /** How many transactions the clients have run so far. */
    int transactions() {
        return transactions.get();
    }

    /**
     * Stops the clients and returns the backend pids they ran on.
     *
     * @throws Exception the first failure of a client
     */
    Set<Integer> stop() throws Exception {
        running.set(false);
        for (Future<Void> loop : loops) {
            loop.get(60, TimeUnit.SECONDS);
        }
        return Set.copyOf(pids);
    }

    @Override
    public void close() throws InterruptedException {
        running.set(false);
        threads.shutdownNow();
        if (!threads.awaitTermination(60, TimeUnit.SECONDS)) {
            throw new IllegalStateException("background clients did not stop");
        }
    }
}
