package io.pgwarden.core.pool;

import io.pgwarden.core.config.PoolSettings;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The servers of one {@link ServerPool} counted against its size and against the database and user
 * caps it shares with other pools: a slot is taken before a server is opened (or adopted) and freed
 * when the server is closed or its opening failed. Lock-free: a compare-and-set on the count, so that
 * sessions on different event loops never hold each other up.
 */
final class ServerSlots {

    /** Whether a new server may be opened, and if not, what stops it. */
    enum Room { YES, POOL_FULL, CAPPED }

    private final PoolKey key;
    private final PoolRegistry registry;
    /** The pool's settings; a reload may replace them. */
    private volatile PoolSettings settings;
    /** Servers open or being opened: lent, idle, moving or connecting. */
    private final AtomicInteger total = new AtomicInteger();

    ServerSlots(PoolKey key, PoolSettings settings, PoolRegistry registry) {
        this.key = key;
        this.settings = settings;
        this.registry = registry;
    }

    /** Counts further servers against the caps of new settings (a reload); servers counted already stay counted. */
    void settings(PoolSettings next) {
        settings = next;
    }

    /** @return how many servers are open or being opened */
    int count() {
        return total.get();
    }

    /** Counts a new server against the pool's limit and the caps; false when there is no room. */
    boolean take(int limit) {
        return reserve(limit) == Room.YES;
    }

    /** Counts a new server against {@code limit} and the caps, or says what stops it. */
    Room reserve(int limit) {
        while (true) {
            int current = total.get();
            if (current >= limit) {
                return Room.POOL_FULL;
            }
            if (total.compareAndSet(current, current + 1)) {
                break;
            }
        }
        if (!registry.reserveCaps(key, settings)) {
            total.decrementAndGet();
            return Room.CAPPED;
        }
        return Room.YES;
    }

    /** A server counted here is gone (closed, or its opening failed), or a taken slot was not used. */
    void free() {
        total.decrementAndGet();
        registry.releaseCaps(key);
    }
}
