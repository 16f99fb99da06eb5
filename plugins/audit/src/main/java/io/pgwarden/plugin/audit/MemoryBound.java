package io.pgwarden.plugin.audit;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The memory a queue's waiting items may hold ({@code queue_memory}): an item reserves its estimated size before it
 * is queued and releases it when it is taken. Lock-free; safe from any thread.
 */
final class MemoryBound {

    private final AtomicLong held = new AtomicLong();
    private final long max;

    /**
     * A bound.
     *
     * @param max the most bytes the waiting items may hold, positive
     */
    MemoryBound(long max) {
        if (max < 1) {
            throw new IllegalArgumentException("the memory bound must be positive: " + max);
        }
        this.max = max;
    }

    /**
     * Reserves room for an item.
     *
     * @param bytes its estimated size
     * @return false, reserving nothing, when the item does not fit
     */
    boolean reserve(long bytes) {
        if (held.addAndGet(bytes) <= max) {
            return true;
        }
        held.addAndGet(-bytes);
        return false;
    }

    /**
     * Gives back what a taken item reserved.
     *
     * @param bytes what it reserved
     */
    void release(long bytes) {
        held.addAndGet(-bytes);
    }

    /**
     * What the waiting items hold now.
     *
     * @return the bytes reserved
     */
    long held() {
        return held.get();
    }
}
