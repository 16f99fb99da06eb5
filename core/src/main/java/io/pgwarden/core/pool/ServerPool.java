package io.pgwarden.core.pool;

import io.netty.channel.EventLoop;
import io.pgwarden.core.backend.BackendException;
import io.pgwarden.core.backend.CredentialResponder;
import io.pgwarden.core.backend.ServerConnection;
import io.pgwarden.core.config.BackendConfig;
import io.pgwarden.core.config.PoolSettings;
import io.pgwarden.core.protocol.backend.ErrorResponse;
import io.pgwarden.spi.BackendLogin;
import java.time.Duration;
import java.util.Map;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BooleanSupplier;
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
 * other. The parts: {@link LoopShard} (one loop's idle servers and waiters), {@link WaiterQueue}
 * (the waiters of all loops), {@link ServerSlots} (the count against size and caps) and
 * {@link ServerHandOver} (a server's move to a waiter's loop).
 */
public final class ServerPool {

    private static final Logger LOG = LoggerFactory.getLogger(ServerPool.class);

    private final PoolKey key;
    private final BackendConfig backend;
    private final BackendLogin login;
    private final PoolRegistry registry;
    /** Replaced by a reload ({@link #resize}). */
    private volatile PoolSettings settings;
    /** A reload took this pool out of the registry: it serves its sessions and keeps no idle server. */
    private volatile boolean retired;
    private final LoopShard[] shards;
    private final WaiterQueue waiters;
    /** Servers open or being opened: lent, idle, moving or connecting. */
    private final LoginTemplate template = new LoginTemplate();
    private final ServerSlots slots;
    private final AtomicInteger opening = new AtomicInteger();
    private final AtomicInteger active = new AtomicInteger();
    private final LongAdder pinned = new LongAdder();
    private final ServerHandOver handOver;
    private final PoolTraffic traffic = new PoolTraffic();
    /** Sessions that asked for a server while the pool was paused; served again on resume. */
    private final ConcurrentLinkedQueue<Waiter> parked = new ConcurrentLinkedQueue<>();
    /** Servers created before this {@link System#nanoTime()} are closed when next seen ({@code KILL}); at first the pool's creation. */
    private volatile long retiredBefore = System.nanoTime();

    ServerPool(PoolKey key, BackendConfig backend, BackendLogin login, PoolSettings settings, PoolRegistry registry) {
        this.key = key;
        this.backend = backend;
        this.login = login;
        this.settings = settings;
        this.registry = registry;
        this.slots = new ServerSlots(key, settings, registry);
        this.shards = new LoopShard[registry.loops().size()];
        for (int i = 0; i < shards.length; i++) {
            shards[i] = new LoopShard(registry.loops().get(i));
        }
        this.waiters = new WaiterQueue(shards, registry.waitTimer(), traffic);
        this.handOver = new ServerHandOver(key, slots, active);
    }

    /** @return the key */
    public PoolKey key() {
        return key;
    }

    /** @return the backend this pool's servers connect to */
    BackendConfig backend() {
        return backend;
    }

    /** @return the effective settings */
    public PoolSettings settings() {
        return settings;
    }

    /**
     * The ParameterStatus values a server of this pool would report to a client asking for these
     * settings, when the pool knows them; lets a client log in without taking a server.
     *
     * @param requested the client's reported settings as it asked for them
     * @return the values, or null when a server must answer
     */
    public Map<String, String> loginParameters(Map<String, String> requested) {
        return template.parameters(requested);
    }

    /** @return the names a server of this pool reports, or null before the first server started */
    public java.util.Set<String> loginParameterNames() {
        return template.names();
    }

    /**
     * A settings plan set {@code requested} and the server spells it {@code reported}.
     *
     * @param name the setting
     * @param requested the value asked for
     * @param reported the value the server reports
     */
    void learnt(String name, String requested, String reported) {
        template.learnt(name, requested, reported);
    }

    /** @return how many sessions wait for a server of this pool */
    int waiting() {
        return waiters.size();
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
        if (paused()) {
            return null;
        }
        LoopShard shard = shard(loop);
        PooledServer server;
        while ((server = shard.takeIdle()) != null) {
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
        if (park(waiter)) {
            return;
        }
        if (!key.relayed() && waiters.size() == 0 && slots.take(settings.size())) {
            waiter.claim();
            open(waiter.loop(), waiter);
            return;
        }
        Duration reserveAfter = settings.reserveSize() > 0 && !key.relayed() ? registry.config().reserveTimeout() : null;
        waiters.add(shard(waiter.loop()), waiter, registry.config().queryWaitTimeout(), reserveAfter,
                () -> reserveDue(waiter));
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
        if (!server.channel().isActive() || tooOld(server, now) || surplus()) {
            active.incrementAndGet();
            discard(server);
            return;
        }
        server.released(now);
        LoopShard shard = shard(server.channel().eventLoop());
        Waiter waiter = waiters.size() == 0 || paused() ? null : waiters.next(shard);
        if (waiter != null) {
            active.incrementAndGet();
            handOver.handOut(server, waiter);
            return;
        }
        server.channel().config().setAutoRead(true);
        shard.putIdle(server);
        if (waiters.size() > 0 && !paused()) {
            serveWaiters(shard);
        } else if (settings.maxDatabaseConnections() > 0 || settings.maxUserConnections() > 0) {
            registry.capacityFreed(this);
        }
    }

    /**
     * A session stopped waiting (it ended); takes it out of the queue at once.
     *
     * @param waiter the waiter
     */
    public void cancel(Waiter waiter) {
        if (waiter.claim() && !parked.remove(waiter)) {
            waiters.remove(shard(waiter.loop()), waiter);
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
        LoopShard shard = shard(server.channel().eventLoop());
        if (!shard.removeIdle(server)) {
            active.decrementAndGet();
        }
        slots.free();
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
        if (!slots.take(settings.size())) {
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
        for (LoopShard shard : shards) {
            idle += shard.idleCount();
        }
        return new PoolStats(key.backend(), key.database(), key.user(), key.role(), settings.mode().yamlName(), active.get(), idle,
                opening.get(), waiters.size() + parked.size(), pinned.sum());
    }

    /**
     * Takes over new settings from a reload. A larger size lets waiting sessions open servers at
     * once; with a smaller one, idle servers above it close now and busy ones when they come back.
     *
     * @param next the settings
     */
    void resize(PoolSettings next) {
        settings = next;
        slots.settings(next);
        for (LoopShard shard : shards) {
            shard.loop.execute(() -> closeIdleWhile(shard, this::surplus));
        }
        if (waiters.size() > 0) {
            serveWaiters();
        }
    }

    /**
     * Takes the pool out of service after a reload changed its backend or mode: idle servers close
     * now, and the others when their sessions give them back and no session of this pool waits.
     */
    void retire() {
        retired = true;
        LOG.info("pool {}: retired by a configuration reload; its servers close as their sessions leave", key);
        for (LoopShard shard : shards) {
            shard.loop.execute(() -> closeIdleWhile(shard, this::surplus));
        }
    }

    /** Whether a server given back should close instead of waiting idle: the pool is retired or above its size. */
    private boolean surplus() {
        if (retired) {
            return waiters.size() == 0;
        }
        PoolSettings current = settings;
        return slots.count() > current.size() + current.reserveSize();
    }

    private void closeIdleWhile(LoopShard shard, BooleanSupplier condition) {
        while (condition.getAsBoolean()) {
            PooledServer server = shard.takeLeastRecentIdle();
            if (server == null) {
                return;
            }
            active.incrementAndGet();
            LOG.debug("pool {}: closing idle server connection {} after a configuration reload", key, server);
            discard(server);
        }
    }

    /** Closes idle servers past their idle timeout or lifetime and opens up to the minimum; on the loop. */
    void maintain(EventLoop loop, boolean prewarm) {
        LoopShard shard = shard(loop);
        long now = System.nanoTime();
        long idleTimeout = nanos(registry.config().serverIdleTimeout());
        var it = shard.idle.descendingIterator();
        while (it.hasNext()) {
            PooledServer server = it.next();
            boolean idleTooLong = idleTimeout > 0 && now - server.releasedNanos() > idleTimeout && slots.count() > settings.minSize();
            if (idleTooLong || tooOld(server, now)) {
                LOG.debug("closing {} server connection {}", idleTooLong ? "idle" : "old", server);
                it.remove();
                shard.idleCount.decrementAndGet();
                active.incrementAndGet();
                discard(server);
            }
        }
        if (prewarm && !key.relayed() && !paused()) {
            while (slots.count() < settings.minSize() && slots.take(settings.minSize())) {
                open(loop, null);
            }
        }
    }

    /** Closes the idle servers of this loop (shutdown). */
    void closeIdle(EventLoop loop) {
        LoopShard shard = shard(loop);
        PooledServer server;
        while ((server = shard.takeIdle()) != null) {
            server.markDiscarded();
            slots.free();
            server.connection().close();
        }
    }

    private boolean tooOld(PooledServer server, long now) {
        if (server.createdNanos() - retiredBefore < 0) {
            return true;
        }
        Duration lifetime = registry.config().serverLifetime();
        return !lifetime.isZero() && now - server.createdNanos() > nanos(lifetime);
    }

    /**
     * Closes one idle server of this pool (the least recently used of some loop), so that another
     * pool held back by a shared database or user cap can open one, as PgBouncer does.
     *
     * @return true when an idle server was found to close
     */
    boolean closeOneIdle() {
        for (LoopShard shard : shards) {
            if (shard.idleCount() > 0) {
                shard.loop.execute(() -> {
                    PooledServer server = shard.takeLeastRecentIdle();
                    if (server != null) {
                        active.incrementAndGet();
                        LOG.debug("pool {}: closing idle server connection {} for a pool held back by a connection cap", key, server);
                        discard(server);
                    }
                });
                return true;
            }
        }
        return false;
    }

    private void open(EventLoop loop, Waiter waiter) {
        opening.incrementAndGet();
        registry.connector().connect(backend, login, loop, new CredentialResponder(login)).whenComplete(
                (connection, error) -> loop.execute(() -> {
                    opening.decrementAndGet();
                    if (error != null) {
                        slots.free();
                        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
                        String reason = cause instanceof BackendException backendError ? backendError.getMessage() : cause.toString();
                        LOG.warn("pool {}: connecting to backend {} failed: {}", key, backend.name(), reason);
                        if (waiter != null) {
                            if (cause instanceof BackendException backendError) {
                                // The server's own refusal (a wrong password, say) or the connector's 08001.
                                waiter.fail(backendError.serverError()
                                        .orElseGet(() -> ErrorResponse.fatal(backendError.sqlState(), backendError.message())));
                            } else {
                                waiter.fail(ErrorResponse.fatal("08006", "could not connect to the server: " + reason));
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
        template.serverStarted(server.connection().parameters());
        server.channel().pipeline().addLast(IdleServerHandler.NAME, new IdleServerHandler(server));
        return server;
    }

    /** Asks every loop with idle servers to serve the waiters, and opens connections while there is room. */
    void serveWaiters() {
        for (LoopShard shard : shards) {
            if (shard.idleCount() > 0) {
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
        while (!paused() && !key.relayed() && waiters.size() > 0) {
            ServerSlots.Room room = slots.reserve(settings.size());
            if (room == ServerSlots.Room.CAPPED) {
                // Another pool of the database or user may hold the capped servers idle.
                registry.evictIdleFor(this);
                return;
            }
            if (room != ServerSlots.Room.YES) {
                return;
            }
            Waiter waiter = waiters.next(shards[0]);
            if (waiter == null) {
                slots.free();
                return;
            }
            open(waiter.loop(), waiter);
        }
    }

    private void serveWaiters(LoopShard shard) {
        while (waiters.size() > 0 && !paused()) {
            PooledServer server = poll(shard.loop);
            if (server == null) {
                openForWaiters();
                return;
            }
            Waiter waiter = waiters.next(shard);
            if (waiter == null) {
                release(server);
                return;
            }
            handOver.handOut(server, waiter);
        }
    }

    private void reserveDue(Waiter waiter) {
        if (waiter.claimed() || !slots.take(settings.size() + settings.reserveSize())) {
            return;
        }
        if (waiter.claim()) {
            waiters.remove(shard(waiter.loop()), waiter);
            waiters.waited(waiter);
            LOG.info("pool {}: a client waited {}; opening a reserve connection", key, registry.config().reserveTimeout());
            open(waiter.loop(), waiter);
        } else {
            slots.free();
        }
    }

    /** @return the counters of the pool's traffic ({@code SHOW STATS}) */
    public PoolTraffic traffic() {
        return traffic;
    }

    /** @return whether the admin console paused this pool's database */
    boolean paused() {
        return registry.paused(key.database());
    }

    /**
     * Holds a waiter while the pool is paused; false when it is not (the waiter goes on as usual).
     * A resume between the check and the queueing is caught by looking again.
     */
    private boolean park(Waiter waiter) {
        if (!paused()) {
            return false;
        }
        parked.add(waiter);
        if (!paused() && parked.remove(waiter)) {
            return false;
        }
        LOG.debug("pool {} is paused; a session waits for RESUME", key);
        return true;
    }

    /** The pause ended: the parked sessions ask again, each on its own loop, and the queue is served. */
    void resumed() {
        Waiter waiter;
        while ((waiter = parked.poll()) != null) {
            Waiter next = waiter;
            if (!next.cancelled()) {
                next.loop().execute(() -> acquire(next));
            }
        }
        serveWaiters();
    }

    /** @return true when no server is lent or being opened (a {@code PAUSE} is complete for this pool) */
    boolean drained() {
        return active.get() == 0 && opening.get() == 0;
    }

    /** Closes the idle servers on every loop ({@code PAUSE} once drained). */
    void closeIdleEverywhere() {
        for (LoopShard shard : shards) {
            if (shard.idleCount() > 0) {
                shard.loop.execute(() -> closeIdle(shard.loop));
            }
        }
    }

    /**
     * {@code KILL}: every server open now is closed, idle ones at once, lent ones when their session
     * gives them back; servers opened from now on are kept.
     */
    void retireAll() {
        retiredBefore = System.nanoTime();
        closeIdleEverywhere();
    }

    /**
     * The idle servers of one loop, for {@code SHOW SERVERS}; must run on that loop.
     *
     * @param loop the loop
     * @return a copy of the list
     */
    List<PooledServer> idleServers(EventLoop loop) {
        return new ArrayList<>(shard(loop).idle);
    }

    /** A configured duration in nanoseconds; durations beyond about 292 years count as forever. */
    private static long nanos(Duration duration) {
        try {
            return duration.toNanos();
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
    }

    private LoopShard shard(EventLoop loop) {
        return shards[registry.loopIndex(loop)];
    }
}
