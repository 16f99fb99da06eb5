package io.pgwarden.core.admin;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.pgwarden.core.pool.PoolStats;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import java.util.function.Supplier;
import java.util.function.ToIntFunction;

/**
 * The core's own meters, published at {@code /metrics}. Connection counts are gauges read at scrape
 * time from counts the proxy keeps anyway, so the data path does no extra work for them; the counters
 * move once per login or cancel request, never per message; byte counts are sums a shared
 * {@link ByteCounter} keeps, read at scrape time. Names are Micrometer's dotted form; the
 * Prometheus names are in docs/operations.md.
 */
public final class ProxyMeters {

    private final MeterRegistry registry;
    private final Counter cancels;
    private final Timer simpleQueries;
    private final Timer extendedQueries;
    /** Held here because function counters only keep weak references to what they read. */
    private final List<ByteCounter> byteCounters;

    private ProxyMeters(MeterRegistry registry, List<ByteCounter> byteCounters) {
        this.registry = registry;
        this.byteCounters = byteCounters;
        this.cancels = Counter.builder("pgwarden.cancel.requests")
                .description("CancelRequest packets received from clients").register(registry);
        this.simpleQueries = queryTimer(registry, "simple");
        this.extendedQueries = queryTimer(registry, "extended");
    }

    private static Timer queryTimer(MeterRegistry registry, String protocol) {
        return Timer.builder("pgwarden.query.duration")
                .description("Time from a client's Query to its ReadyForQuery, or from an Execute to its completion")
                .tag("protocol", protocol).publishPercentileHistogram().register(registry);
    }

    /**
     * Registers the core's meters.
     *
     * @param registry the proxy's registry
     * @param admitted the number of admitted client connections
     * @param ready the number of client sessions past startup and authentication
     * @param pools a snapshot of the server connection pools
     * @param clientBytes counts the bytes of client connections
     * @param serverBytes counts the bytes of server connections
     * @return the meters
     */
    public static ProxyMeters register(MeterRegistry registry, IntSupplier admitted, IntSupplier ready,
                                       Supplier<List<PoolStats>> pools, ByteCounter clientBytes, ByteCounter serverBytes) {
        Objects.requireNonNull(registry, "registry");
        Objects.requireNonNull(admitted, "admitted");
        Objects.requireNonNull(ready, "ready");
        Objects.requireNonNull(pools, "pools");
        Objects.requireNonNull(clientBytes, "clientBytes");
        Objects.requireNonNull(serverBytes, "serverBytes");
        ProxyMeters meters = new ProxyMeters(registry, List.of(clientBytes, serverBytes));
        String clients = "pgwarden.client.connections";
        String clientsHelp = "client connections: login (startup and authentication), waiting (for a server), active (the rest)";
        gauge(registry, clients, clientsHelp, "login", () -> Math.max(0, admitted.getAsInt() - ready.getAsInt()));
        gauge(registry, clients, clientsHelp, "waiting", () -> Math.min(ready.getAsInt(), sum(pools.get(), PoolStats::waiting)));
        gauge(registry, clients, clientsHelp, "active",
                () -> Math.max(0, ready.getAsInt() - sum(pools.get(), PoolStats::waiting)));
        String servers = "pgwarden.server.connections";
        String serversHelp = "server connections of all pools: active (lent to a client), idle, opening (connecting and logging in)";
        gauge(registry, servers, serversHelp, "active", () -> sum(pools.get(), PoolStats::active));
        gauge(registry, servers, serversHelp, "idle", () -> sum(pools.get(), PoolStats::idle));
        gauge(registry, servers, serversHelp, "opening", () -> sum(pools.get(), PoolStats::opening));
        bytes(registry, "pgwarden.client.bytes", "PostgreSQL protocol bytes received from and sent to clients", clientBytes);
        bytes(registry, "pgwarden.server.bytes", "PostgreSQL protocol bytes received from and sent to servers", serverBytes);
        return meters;
    }

    private static void bytes(MeterRegistry registry, String name, String help, ByteCounter counter) {
        FunctionCounter.builder(name, counter, ByteCounter::received).description(help).baseUnit("bytes")
                .tag("direction", "received").register(registry);
        FunctionCounter.builder(name, counter, ByteCounter::sent).description(help).baseUnit("bytes")
                .tag("direction", "sent").register(registry);
    }

    private static void gauge(MeterRegistry registry, String name, String help, String state, IntSupplier value) {
        Gauge.builder(name, value, IntSupplier::getAsInt).description(help).tag("state", state).strongReference(true)
                .register(registry);
    }

    private static int sum(List<PoolStats> stats, ToIntFunction<PoolStats> value) {
        int total = 0;
        for (PoolStats pool : stats) {
            total += value.applyAsInt(pool);
        }
        return total;
    }

    /** Counts a CancelRequest from a client, whether or not its key matched a session. */
    public void cancelRequested() {
        cancels.increment();
    }

    /**
     * Counts the end of a client's authentication.
     *
     * @param method the auth rule's method, or {@code none} when no rule matched
     * @param reason how it ended; also gives the coarser {@code result} tag
     */
    public void authResult(String method, AuthReason reason) {
        registry.counter("pgwarden.auth.results", "method", method, "result", reason.result(), "reason", reason.tag()).increment();
    }

    /**
     * Records how long a statement took, from the client's message to the server's answer.
     *
     * @param extended true for an Execute (to its CommandComplete, EmptyQueryResponse, PortalSuspended or
     *                 ErrorResponse), false for a simple Query (to its ReadyForQuery)
     * @param nanos the duration in nanoseconds
     */
    public void queryDuration(boolean extended, long nanos) {
        (extended ? extendedQueries : simpleQueries).record(nanos, TimeUnit.NANOSECONDS);
    }
}
