package io.pgwarden.core.pool;

import io.netty.channel.EventLoop;
import java.util.ArrayDeque;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The part of a {@link ServerPool} that belongs to one event loop: the idle servers registered with
 * that loop, touched only on it, and the sessions of that loop waiting for a server. The idle count
 * is an atomic so that other loops can see whether this one has idle servers without touching the
 * list; the waiters are a lock-free queue because any loop may take one (see {@link WaiterQueue}).
 */
final class LoopShard {

    final EventLoop loop;
    /** Most recently released first: a session takes the warmest server, maintenance the coldest. */
    final ArrayDeque<PooledServer> idle = new ArrayDeque<>();
    final AtomicInteger idleCount = new AtomicInteger();
    /** Sessions of this loop waiting for a server: served first by servers released on this loop. */
    final ConcurrentLinkedQueue<Waiter> waiters = new ConcurrentLinkedQueue<>();

    LoopShard(EventLoop loop) {
        this.loop = loop;
    }

    /** The most recently released idle server, now no longer idle, or null; on the loop. */
    PooledServer takeIdle() {
        PooledServer server = idle.pollFirst();
        if (server != null) {
            idleCount.decrementAndGet();
        }
        return server;
    }

    /** The least recently released idle server, now no longer idle, or null; on the loop. */
    PooledServer takeLeastRecentIdle() {
        PooledServer server = idle.pollLast();
        if (server != null) {
            idleCount.decrementAndGet();
        }
        return server;
    }

    /** Makes a released server idle, first in line for the next session; on the loop. */
    void putIdle(PooledServer server) {
        idle.addFirst(server);
        idleCount.incrementAndGet();
    }

    /** Takes a server out of the idle list; false when it was not idle (it is lent). On the loop. */
    boolean removeIdle(PooledServer server) {
        if (idle.remove(server)) {
            idleCount.decrementAndGet();
            return true;
        }
        return false;
    }

    /** @return how many idle servers this loop holds; from any thread */
    int idleCount() {
        return idleCount.get();
    }
}
