package io.pgwarden.core.pool;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import io.pgwarden.core.backend.BackendConnector;
import io.pgwarden.core.config.AuthRule;
import io.pgwarden.core.config.BackendConfig;
import io.pgwarden.core.config.PoolConfig;
import io.pgwarden.core.config.PoolSettings;
import io.pgwarden.spi.BackendLogin;
import io.pgwarden.spi.Credential;
import java.time.Duration;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Every pool of a running proxy, created on first use, and what they share: the event loops, the
 * per-database and per-user connection caps, and a once-a-second janitor on each loop that closes
 * idle and old servers and keeps pools at their minimum size.
 */
public final class PoolRegistry implements AutoCloseable {

    private static final long JANITOR_MILLIS = 1000;
    /** Buckets of the pool wait histogram: a wait is normally far below a second, a long one ends at query_wait_timeout. */
    private static final Duration[] WAIT_BUCKETS = {Duration.ofMillis(1), Duration.ofMillis(5), Duration.ofMillis(10),
        Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofSeconds(5),
        Duration.ofSeconds(30), Duration.ofSeconds(120)};

    private volatile PoolConfig config;
    private volatile Map<String, BackendConfig> backends;
    private final BackendConnector connector;
    private final List<EventLoop> loops;
    private final Map<EventLoop, Integer> loopIndex = new IdentityHashMap<>();
    private final ConcurrentHashMap<PoolKey, ServerPool> pools = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, AtomicInteger> databaseCounts = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, AtomicInteger> userCounts = new ConcurrentHashMap<>();
    private final List<ScheduledFuture<?>> janitors = new ArrayList<>();
    private final MeterRegistry meters;
    private final Timer waitTimer;
    private final PoolPause pauses = new PoolPause();

    /**
     * @param config the pool settings
     * @param backends the backends by name
     * @param connector opens server connections
     * @param group the event loops sessions and servers run on
     * @param meters where the pool's counters are published
     */
    public PoolRegistry(PoolConfig config, Map<String, BackendConfig> backends, BackendConnector connector, EventLoopGroup group,
                        MeterRegistry meters) {
        this.config = config;
        this.meters = meters;
        this.waitTimer = Timer.builder("pgwarden.pool.wait").description("time a client spent in a pool's queue waiting for a server")
                .serviceLevelObjectives(WAIT_BUCKETS).register(meters);
        this.backends = backends;
        this.connector = connector;
        List<EventLoop> all = new ArrayList<>();
        for (EventExecutor executor : group) {
            EventLoop loop = (EventLoop) executor;
            loopIndex.put(loop, all.size());
            all.add(loop);
        }
        this.loops = List.copyOf(all);
        for (int i = 0; i < loops.size(); i++) {
            EventLoop loop = loops.get(i);
            boolean prewarms = i == 0;
            janitors.add(loop.scheduleAtFixedRate(() -> maintain(loop, prewarms), JANITOR_MILLIS, JANITOR_MILLIS,
                    TimeUnit.MILLISECONDS));
        }
    }

    /**
     * The pool of a backend login, created on first use. Pooled servers are opened with the login's
     * backend, database, user, credential and {@code role} parameter only (the {@link PoolKey}):
     * other startup settings and session initialization are each client's, applied when it gets a
     * server.
     *
     * @param login the login
     * @param relayed whether the client's password was relayed to the server (passthrough)
     * @return the pool
     */
    public ServerPool pool(BackendLogin login, boolean relayed) {
        PoolKey key = PoolKey.of(login, relayed);
        ServerPool pool = pools.get(key);
        if (pool != null) {
            return pool;
        }
        return pools.computeIfAbsent(key, k -> {
            BackendConfig backend = backends.get(login.backend());
            if (backend == null) {
                throw new IllegalArgumentException("no backend named '" + login.backend() + "'");
            }
            BackendLogin neutral = serverLogin(login);
            PoolSettings settings = config.settings(login.database(), login.user());
            return new ServerPool(k, backend, neutral, settings, this);
        });
    }

    /**
     * The login a pooled server starts with: the session's backend, database, user and credential, and
     * of its parameters only {@code role}, which is part of the pool key (so {@code RESET ROLE} returns
     * to it). Every other parameter and the session init are applied per session on attach, so that
     * {@code RESET} leads back to the server's defaults.
     *
     * @param login the session's login
     * @return the login for the server's startup packet
     */
    public static BackendLogin serverLogin(BackendLogin login) {
        String role = login.parameters().get(PoolKey.ROLE);
        return new BackendLogin(login.backend(), login.database(), login.user(), login.credential(),
                role == null ? Map.of() : Map.of(PoolKey.ROLE, role), List.of());
    }

    /**
     * The pool settings of a database and user (the mode decides how a session uses its pool).
     *
     * @param database the backend database
     * @param user the backend user
     * @return the settings
     */
    public PoolSettings settings(String database, String user) {
        return config.settings(database, user);
    }

    /**
     * Counts a session pinned to its server ({@code pgwarden_pool_pinned_total{reason=...}}).
     *
     * @param reason why
     */
    public void pinned(PinReason reason) {
        meters.counter("pgwarden.pool.pinned", "reason", reason.metricName()).increment();
    }

    /** @return the histogram of the time sessions spent queued for a server ({@code pgwarden_pool_wait_seconds}) */
    Timer waitTimer() {
        return waitTimer;
    }

    /** @return a snapshot of every pool */
    public List<PoolStats> stats() {
        List<PoolStats> stats = new ArrayList<>();
        for (ServerPool pool : pools.values()) {
            stats.add(pool.stats());
        }
        return stats;
    }

    /** @return the pool configuration */
    public PoolConfig config() {
        return config;
    }

    List<EventLoop> loops() {
        return loops;
    }

    BackendConnector connector() {
        return connector;
    }

    int loopIndex(EventLoop loop) {
        Integer index = loopIndex.get(loop);
        if (index == null) {
            throw new IllegalStateException("event loop " + loop + " is not one of the proxy's");
        }
        return index;
    }

    /**
     * Counts a server against its database's and user's caps. Every server is counted, capped or not,
     * so that a reload may set a cap on servers already open.
     */
    boolean reserveCaps(PoolKey key, PoolSettings settings) {
        AtomicInteger database = databaseCounts.computeIfAbsent(key.backend() + '/' + key.database(), k -> new AtomicInteger());
        if (!incrementBelow(database, capOf(settings.maxDatabaseConnections()))) {
            return false;
        }
        AtomicInteger user = userCounts.computeIfAbsent(key.backend() + '/' + key.user(), k -> new AtomicInteger());
        if (!incrementBelow(user, capOf(settings.maxUserConnections()))) {
            database.decrementAndGet();
            return false;
        }
        return true;
    }

    void releaseCaps(PoolKey key) {
        databaseCounts.get(key.backend() + '/' + key.database()).decrementAndGet();
        userCounts.get(key.backend() + '/' + key.user()).decrementAndGet();
    }

    private static int capOf(int configured) {
        return configured > 0 ? configured : Integer.MAX_VALUE;
    }

    /** A server of this pool closed: its pool, and pools held back by a cap it counted against, may open one. */
    void capacityFreed(ServerPool freed) {
        // A pool a reload retired is no longer in the map, and may still have sessions waiting.
        if (freed.waiting() > 0) {
            freed.openForWaiters();
        }
        for (ServerPool pool : pools.values()) {
            PoolKey key = pool.key();
            if (pool != freed && key.backend().equals(freed.key().backend())
                    && (key.database().equals(freed.key().database()) || key.user().equals(freed.key().user()))) {
                if (pool.waiting() > 0) {
                    pool.openForWaiters();
                }
            }
        }
    }

    /**
     * A pool with waiting sessions cannot open a server because of a database or user cap: close an
     * idle server of another pool that counts against the same cap.
     */
    void evictIdleFor(ServerPool capped) {
        PoolKey wanted = capped.key();
        for (ServerPool pool : pools.values()) {
            PoolKey key = pool.key();
            if (pool != capped && key.backend().equals(wanted.backend())
                    && (capped.settings().maxDatabaseConnections() > 0 && key.database().equals(wanted.database())
                        || capped.settings().maxUserConnections() > 0 && key.user().equals(wanted.user()))
                    && pool.closeOneIdle()) {
                return;
            }
        }
    }

    /**
     * {@code PAUSE}: the pools of a database (or of all) hand out and open no more servers; sessions
     * that need one wait until {@link #resume}.
     *
     * @param database the database, or null for all
     */
    public void pause(String database) {
        pauses.pause(database);
    }

    /**
     * {@code RESUME}: the paused sessions of a database (or of all) get their servers.
     *
     * @param database the database, or null for all
     * @return false when it was not paused
     */
    public boolean resume(String database) {
        if (!pauses.resume(database)) {
            return false;
        }
        pools.values().forEach(ServerPool::resumed);
        return true;
    }

    boolean paused(String database) {
        return pauses.paused(database);
    }

    /**
     * Whether every server of a database's pools (or of all pools) is back in its pool, none being opened.
     *
     * @param database the database, or null for all
     * @return true when drained
     */
    public boolean drained(String database) {
        return poolsOf(database).stream().allMatch(ServerPool::drained);
    }

    /**
     * Closes the idle servers of a database's pools (or of all), as a complete {@code PAUSE} does;
     * passthrough pools keep theirs.
     *
     * @param database the database, or null for all
     */
    public void closeIdle(String database) {
        // A passthrough pool cannot open servers of its own: its idle ones stay for the sessions that wait.
        poolsOf(database).stream().filter(pool -> !pool.key().relayed()).forEach(ServerPool::closeIdleEverywhere);
    }

    /**
     * {@code KILL}: closes every server of a database's pools, idle ones now, lent ones when their
     * session lets go of them; the pools stay and open new servers for new sessions.
     *
     * @param database the database
     */
    public void retire(String database) {
        poolsOf(database).forEach(ServerPool::retireAll);
    }

    /**
     * Whether the proxy knows a database: a pool serves it or the pool settings name it.
     *
     * @param database the database
     * @return true when known
     */
    public boolean knows(String database) {
        return config.databases().containsKey(database) || pools.keySet().stream().anyMatch(key -> key.database().equals(database));
    }

    /**
     * The traffic counters of every pool ({@code SHOW STATS}).
     *
     * @return pool key to counters
     */
    public Map<PoolKey, PoolTraffic> traffic() {
        Map<PoolKey, PoolTraffic> traffic = new java.util.LinkedHashMap<>();
        pools.forEach((key, pool) -> traffic.put(key, pool.traffic()));
        return traffic;
    }

    /**
     * The idle servers registered with one event loop, of every pool; must run on that loop.
     *
     * @param loop the loop
     * @return the servers
     */
    public List<PooledServer> idleServers(EventLoop loop) {
        List<PooledServer> idle = new ArrayList<>();
        pools.values().forEach(pool -> idle.addAll(pool.idleServers(loop)));
        return idle;
    }

    /** @return the event loops servers run on */
    public List<EventLoop> eventLoops() {
        return loops;
    }

    private List<ServerPool> poolsOf(String database) {
        return pools.values().stream().filter(pool -> database == null || pool.key().database().equals(database)).toList();
    }

    /**
     * Takes over the pool settings and backends of a reloaded configuration. A pool whose backend
     * changed or went away, or whose mode changed, is retired: new sessions get a new pool, the old
     * one keeps serving its sessions and closes its servers as they come back. Every other pool
     * adopts its new size, minimum, reserve and caps at once.
     *
     * @param next the new pool settings
     * @param nextBackends the new backends by name
     */
    public void reconfigure(PoolConfig next, Map<String, BackendConfig> nextBackends) {
        config = next;
        backends = nextBackends;
        for (Map.Entry<PoolKey, ServerPool> entry : pools.entrySet()) {
            ServerPool pool = entry.getValue();
            PoolKey key = entry.getKey();
            BackendConfig backend = nextBackends.get(key.backend());
            PoolSettings settings = next.settings(key.database(), key.user());
            if (backend == null || !backend.equals(pool.backend()) || settings.mode() != pool.settings().mode()) {
                pools.remove(key, pool);
                pool.retire();
            } else {
                pool.resize(settings);
            }
        }
    }

    /**
     * Creates the pools of the auth rules' fixed logins at start, so that their {@code min_size}
     * servers are open before the first client (other pools exist from their first login on).
     *
     * @param rules the auth rules
     */
    public void createFixedLoginPools(List<AuthRule> rules) {
        for (AuthRule rule : rules) {
            AuthRule.LoginConfig login = rule.login();
            if (login != null && login.database() != null && backends.containsKey(rule.backend())) {
                Credential credential = login.password() == null ? Credential.none() : Credential.password(login.password());
                pool(new BackendLogin(rule.backend(), login.database(), login.user(), credential, Map.of(), List.of()), false);
            }
        }
    }

    private static boolean incrementBelow(AtomicInteger counter, int limit) {
        while (true) {
            int current = counter.get();
            if (current >= limit) {
                return false;
            }
            if (counter.compareAndSet(current, current + 1)) {
                return true;
            }
        }
    }

    private void maintain(EventLoop loop, boolean prewarm) {
        for (ServerPool pool : pools.values()) {
            pool.maintain(loop, prewarm);
        }
    }

    /** Stops the janitors and closes every idle server; servers lent to sessions close with them. */
    @Override
    public void close() {
        janitors.forEach(janitor -> janitor.cancel(false));
        for (EventLoop loop : loops) {
            if (!loop.isShuttingDown()) {
                loop.execute(() -> pools.values().forEach(pool -> pool.closeIdle(loop)));
            }
        }
    }
}
