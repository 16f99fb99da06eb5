package io.pgwarden.core.pool;

import io.netty.channel.EventLoop;
import io.pgwarden.core.backend.BackendException;
import io.pgwarden.core.backend.CredentialResponder;
import io.pgwarden.core.backend.ServerConnection;
import io.pgwarden.core.config.BackendConfig;
import io.pgwarden.core.config.PoolSettings;
import io.pgwarden.spi.BackendLogin;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server connections of one {@link PoolKey}.
 *
 * <p>Idle servers are kept per event loop: a session takes one registered with its own loop without
 * any lock or hand-over ({@link #poll}), which is the hot path of transaction pooling. Only when its
 * loop has none does it open a connection (while the pool is below its size) or wait in a queue
 * shared by all loops. A server released while sessions wait goes to the oldest waiter, moved to
 * the waiter's event loop when it lives on another one; loops that hold idle servers are asked to
 * serve waiters as soon as one queues. Counters are atomics; nothing locks the loops against each
 * other.
 */
public final class ServerPool {

    private static final Logger LOG = LoggerFactory.getLogger(ServerPool.class);

    /** The idle servers registered with one event loop; touched only on that loop. */
    private static final class Shard {
        final EventLoop loop;
        final ArrayDeque<PooledServer> idle = new ArrayDeque<>();
        final AtomicInteger idleCount = new AtomicInteger();
        /** Sessions of this loop waiting for a server: served first by servers released on this loop. */
        final ConcurrentLinkedQueue<Waiter> waiters = new ConcurrentLinkedQueue<>();

        Shard(EventLoop loop) {
            this.loop = loop;
        }
    }

    private final PoolKey key;
    private final BackendConfig backend;
    private final BackendLogin login;
    private final PoolSettings settings;
    private final PoolRegistry registry;
    private final Shard[] shards;
    /** Servers open or being opened: lent, idle, moving or connecting. */
    private final AtomicInteger total = new AtomicInteger();
    private final AtomicInteger opening = new AtomicInteger();
    private final AtomicInteger active = new AtomicInteger();
    private final AtomicInteger waiting = new AtomicInteger();
    private final LongAdder pinned = new LongAdder();

    ServerPool(PoolKey key, BackendConfig backend, BackendLogin login, PoolSettings settings, PoolRegistry registry) {
        this.key = key;
        this.backend = backend;
        this.login = login;
        this.settings = settings;
        this.registry = registry;
        this.shards = new Shard[registry.loops().size()];
        for (int i = 0; i < shards.length; i++) {
            shards[i] = new Shard(registry.loops().get(i));
        }
    }

    /** @return the key */
    public PoolKey key() {
        return key;
    }

    /** @return the effective settings */
    public PoolSettings settings() {
        return settings;
    }

    /** A session of this pool was pinned to its server. */
    public void pinned() {
        pinned.increment();
    }

    /**
     * An idle server registered with this event loop, taken without waiting; must run on that loop.
     *
     * @param loop the caller's event loop
     * @return a server now lent to the caller, or null
     */
    public PooledServer poll(EventLoop loop) {
        Shard shard = shard(loop);
        PooledServer server;
        while ((server = shard.idle.pollFirst()) != null) {
            shard.idleCount.decrementAndGet();
            // Reading stays on: the session's relay takes over the channel as it is (no epoll change).
            if (!server.channel().isActive() || tooOld(server, System.nanoTime())) {
                active.incrementAndGet();
                discard(server);
                continue;
            }
            active.incrementAndGet();
            return server;
        }
        return null;
    }

    /**
     * Gets a server for a waiter: a new connection while the pool is below its size, else the next
     * released one. Call after {@link #poll} found none; runs on the waiter's loop.
     *
     * @param waiter the session
     */
    public void acquire(Waiter waiter) {
        if (!key.relayed() && waiting.get() == 0 && reserveSlot(settings.size())) {
            waiter.claim();
            open(waiter.loop(), waiter);
            return;
        }
        // Queued before counted: whoever sees the count finds the waiter.
        shard(waiter.loop()).waiters.add(waiter);
        waiting.incrementAndGet();
        Duration wait = registry.config().queryWaitTimeout();
        var timeout = wait.isZero() ? null
                : waiter.loop().schedule(() -> timedOut(waiter), millis(wait), TimeUnit.MILLISECONDS);
        var reserve = settings.reserveSize() > 0 && !key.relayed()
                ? waiter.loop().schedule(() -> reserveDue(waiter), millis(registry.config().reserveTimeout()),
                        TimeUnit.MILLISECONDS)
                : null;
        waiter.timers(timeout, reserve);
        serveWaiters();
    }

    /**
     * Takes back a server whose session no longer needs it; must run on the server's event loop, with
     * the session's handlers removed and the server between transactions.
     *
     * @param server the server
     */
    public void release(PooledServer server) {
        if (server.discarded()) {
            return;
        }
        active.decrementAndGet();
        long now = System.nanoTime();
        if (!server.channel().isActive() || tooOld(server, now)) {
            active.incrementAndGet();
            discard(server);
            return;
        }
        server.released(now);
        Shard shard = shard(server.channel().eventLoop());
        Waiter waiter = waiting.get() == 0 ? null : nextWaiter(shard);
        if (waiter != null) {
            active.incrementAndGet();
            handOut(server, waiter);
            return;
        }
        server.channel().config().setAutoRead(true);
        shard.idle.addFirst(server);
        shard.idleCount.incrementAndGet();
        if (waiting.get() > 0) {
            serveWaiters(shard);
        }
    }

    /**
     * Closes a server and forgets it, idle or lent; idempotent. Runs on the server's event loop.
     *
     * @param server the server
     */
    public void discard(PooledServer server) {
        if (server.discarded()) {
            return;
        }
        server.markDiscarded();
        Shard shard = shard(server.channel().eventLoop());
        if (shard.idle.remove(server)) {
            shard.idleCount.decrementAndGet();
        } else {
            active.decrementAndGet();
        }
        total.decrementAndGet();
        registry.releaseCaps(key, settings);
        server.connection().close();
        registry.capacityFreed(this);
    }

    /**
     * Takes a server the client's own login opened (passthrough) into the pool, when there is room.
     *
     * @param connection the logged-in server, on the session's event loop
     * @return the server, lent to the session; or null when the pool is full (the caller closes it)
     */
    public PooledServer adopt(ServerConnection connection) {
        if (!reserveSlot(settings.size())) {
            return null;
        }
        active.incrementAndGet();
        return track(new PooledServer(connection, this));
    }

    /**
     * Whether a server sat idle long enough that it must pass the check query before reuse.
     *
     * @param server the server just taken
     * @return true when the check is due
     */
    public boolean checkDue(PooledServer server) {
        String query = registry.config().serverCheckQuery();
        return !query.isBlank() && System.nanoTime() - server.releasedNanos() > nanos(registry.config().serverCheckDelay());
    }

    /** @return a snapshot */
    public PoolStats stats() {
        int idle = 0;
        for (Shard shard : shards) {
            idle += shard.idleCount.get();
        }
        return new PoolStats(key.backend(), key.database(), key.user(), settings.mode().yamlName(), active.get(), idle,
                opening.get(), waiting.get(), pinned.sum());
    }

    /** Closes idle servers past their idle timeout or lifetime and opens up to the minimum; on the loop. */
    void maintain(EventLoop loop, boolean prewarm) {
        Shard shard = shard(loop);
        long now = System.nanoTime();
        long idleTimeout = nanos(registry.config().serverIdleTimeout());
        var it = shard.idle.descendingIterator();
        while (it.hasNext()) {
            PooledServer server = it.next();
            boolean idleTooLong = idleTimeout > 0 && now - server.releasedNanos() > idleTimeout && total.get() > settings.minSize();
            if (idleTooLong || tooOld(server, now)) {
                LOG.debug("closing {} server connection {}", idleTooLong ? "idle" : "old", server);
                it.remove();
                shard.idleCount.decrementAndGet();
                active.incrementAndGet();
                discard(server);
            }
        }
        if (prewarm && !key.relayed()) {
            while (total.get() < settings.minSize() && reserveSlot(settings.minSize())) {
                open(loop, null);
            }
        }
    }

    /** Closes the idle servers of this loop (shutdown). */
    void closeIdle(EventLoop loop) {
        Shard shard = shard(loop);
        PooledServer server;
        while ((server = shard.idle.pollFirst()) != null) {
            shard.idleCount.decrementAndGet();
            server.markDiscarded();
            total.decrementAndGet();
            registry.releaseCaps(key, settings);
            server.connection().close();
        }
    }

    private boolean tooOld(PooledServer server, long now) {
        Duration lifetime = registry.config().serverLifetime();
        return !lifetime.isZero() && now - server.createdNanos() > nanos(lifetime);
    }

    /** Counts a new server against the pool's limit and the caps; false when there is no room. */
    private boolean reserveSlot(int limit) {
        while (true) {
            int current = total.get();
            if (current >= limit) {
                return false;
            }
            if (total.compareAndSet(current, current + 1)) {
                break;
            }
        }
        if (!registry.reserveCaps(key, settings)) {
            total.decrementAndGet();
            return false;
        }
        return true;
    }

    private void open(EventLoop loop, Waiter waiter) {
        opening.incrementAndGet();
        registry.connector().connect(backend, login, loop, new CredentialResponder(login)).whenComplete(
                (connection, error) -> loop.execute(() -> {
                    opening.decrementAndGet();
                    if (error != null) {
                        total.decrementAndGet();
                        registry.releaseCaps(key, settings);
                        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
                        String reason = cause instanceof BackendException backendError ? backendError.getMessage() : cause.toString();
                        LOG.warn("pool {}: connecting to backend {} failed: {}", key, backend.name(), reason);
                        if (waiter != null) {
                            if (cause instanceof BackendException backendError) {
                                // The server's own refusal (a wrong password, say) or the connector's 08001.
                                waiter.fail(backendError.sqlState(), backendError.serverError()
                                        .map(serverError -> serverError.message()).orElse(backendError.message()));
                            } else {
                                waiter.fail("08006", "could not connect to the server: " + reason);
                            }
                        }
                        return;
                    }
                    active.incrementAndGet();
                    PooledServer server = track(new PooledServer(connection, this));
                    if (waiter != null && !waiter.cancelled()) {
                        waiter.deliver(server);
                    } else {
                        release(server);
                    }
                }));
    }

    /** Every pooled server's pipeline ends with the idle watcher; it sees bytes only while no session holds the server. */
    private PooledServer track(PooledServer server) {
        server.channel().pipeline().addLast(IdleServerHandler.NAME, new IdleServerHandler(server));
        return server;
    }

    /** Hands a lent server to a claimed waiter, moving its channel to the waiter's event loop if needed. */
    private void handOut(PooledServer server, Waiter waiter) {
        if (waiter.loop() == server.channel().eventLoop()) {
            waiter.deliver(server);
            return;
        }
        server.channel().deregister().addListener(deregistered -> {
            if (!deregistered.isSuccess()) {
                moveFailed(server, waiter, deregistered.cause());
                return;
            }
            waiter.loop().register(server.channel()).addListener(registered -> {
                if (registered.isSuccess()) {
                    waiter.deliver(server);
                } else {
                    moveFailed(server, waiter, registered.cause());
                }
            });
        });
    }

    private void moveFailed(PooledServer server, Waiter waiter, Throwable cause) {
        LOG.warn("pool {}: moving server connection {} to another event loop failed: {}", key, server, cause.toString());
        server.markDiscarded();
        active.decrementAndGet();
        total.decrementAndGet();
        registry.releaseCaps(key, settings);
        server.channel().close();
        waiter.loop().execute(() -> waiter.fail("08006", "could not hand over a server connection"));
    }

    /** The next live waiter, of this loop first (no move of the server), else of the other loops. */
    private Waiter nextWaiter(Shard preferred) {
        Waiter waiter = nextWaiter(preferred.waiters);
        if (waiter != null) {
            return waiter;
        }
        for (Shard shard : shards) {
            if (shard != preferred && (waiter = nextWaiter(shard.waiters)) != null) {
                return waiter;
            }
        }
        return null;
    }

    private Waiter nextWaiter(ConcurrentLinkedQueue<Waiter> queue) {
        Waiter waiter;
        while ((waiter = queue.poll()) != null) {
            waiting.decrementAndGet();
            if (!waiter.cancelled() && waiter.claim()) {
                return waiter;
            }
        }
        return null;
    }

    /** Asks every loop with idle servers to serve the waiters, and opens connections while there is room. */
    void serveWaiters() {
        for (Shard shard : shards) {
            if (shard.idleCount.get() > 0) {
                if (shard.loop.inEventLoop()) {
                    serveWaiters(shard);
                } else {
                    shard.loop.execute(() -> serveWaiters(shard));
                }
            }
        }
        openForWaiters();
    }

    /** Opens connections for waiters while the pool (or a freed cap) has room. */
    void openForWaiters() {
        while (!key.relayed() && waiting.get() > 0 && reserveSlot(settings.size())) {
            Waiter waiter = nextWaiter(shards[0]);
            if (waiter == null) {
                total.decrementAndGet();
                registry.releaseCaps(key, settings);
                return;
            }
            open(waiter.loop(), waiter);
        }
    }

    private void serveWaiters(Shard shard) {
        while (waiting.get() > 0) {
            PooledServer server = poll(shard.loop);
            if (server == null) {
                openForWaiters();
                return;
            }
            Waiter waiter = nextWaiter(shard);
            if (waiter == null) {
                release(server);
                return;
            }
            handOut(server, waiter);
        }
    }

    private void timedOut(Waiter waiter) {
        if (waiter.claim()) {
            if (shard(waiter.loop()).waiters.remove(waiter)) {
                waiting.decrementAndGet();
            }
            Duration wait = registry.config().queryWaitTimeout();
            waiter.fail("53300", "no server connection available within query_wait_timeout (" + wait.toMillis() / 1000.0 + "s)");
        }
    }

    private void reserveDue(Waiter waiter) {
        if (waiter.claimed() || !reserveSlot(settings.size() + settings.reserveSize())) {
            return;
        }
        if (waiter.claim()) {
            if (shard(waiter.loop()).waiters.remove(waiter)) {
                waiting.decrementAndGet();
            }
            LOG.info("pool {}: a client waited {}; opening a reserve connection", key, registry.config().reserveTimeout());
            open(waiter.loop(), waiter);
        } else {
            total.decrementAndGet();
            registry.releaseCaps(key, settings);
        }
    }

    /** A configured duration in nanoseconds; durations beyond about 292 years count as forever. */
    private static long nanos(Duration duration) {
        try {
            return duration.toNanos();
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
    }

    private static long millis(Duration duration) {
        try {
            return duration.toMillis();
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE / 2;
        }
    }

    private Shard shard(EventLoop loop) {
        return shards[registry.loopIndex(loop)];
    }
}
