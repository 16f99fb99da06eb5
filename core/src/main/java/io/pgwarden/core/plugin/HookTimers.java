package io.pgwarden.core.plugin;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.pgwarden.spi.AuthContext;
import io.pgwarden.spi.CompletionContext;
import io.pgwarden.spi.ExecuteContext;
import io.pgwarden.spi.MessageContext;
import io.pgwarden.spi.QueryContext;
import io.pgwarden.spi.RefusalContext;
import io.pgwarden.spi.ResultSetContext;
import io.pgwarden.spi.SessionContext;
import io.pgwarden.spi.StartupContext;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.BiPredicate;

/**
 * The hook meters of one plugin, one pair per hook the plugin overrides, tagged with the plugin type
 * and the hook's name: {@code pgwarden.plugin.hook.calls} counts every call, and
 * {@code pgwarden.plugin.hook.duration} times the first call and then one in {@value #SAMPLE_EVERY}.
 * Timing every call cost more than many hooks themselves (two clock reads and a histogram update
 * shared by all event loops, for each statement and each row); a sample of one in
 * {@value #SAMPLE_EVERY} keeps the distribution and bounds the cost. A hook that answers with a
 * later decision is timed up to its return, not until the decision completes.
 */
final class HookTimers {

    /** The hooks that are timed, with the SPI method that decides whether a plugin has one. */
    enum Hook {
        ON_STARTUP("onStartup", "onStartup", StartupContext.class),
        ON_AUTH("onAuth", "onAuth", AuthContext.class),
        ON_QUERY("onQuery", "onQuery", QueryContext.class),
        ON_EXECUTE("onExecute", "onExecute", ExecuteContext.class),
        ON_COMPLETE("onComplete", "onComplete", CompletionContext.class),
        ON_REFUSED("onRefused", "onRefused", RefusalContext.class),
        CLAIM_RESULT_SET("claimResultSet", "claimResultSet", ResultSetContext.class),
        /** A claimed result set's rows: present when claimResultSet is. */
        ON_ROW("onRow", "claimResultSet", ResultSetContext.class),
        ON_MESSAGE("onMessage", "onMessage", MessageContext.class),
        ON_SESSION_END("onSessionEnd", "onSessionEnd", SessionContext.class);

        private final String tag;
        private final String method;
        private final Class<?> parameter;

        Hook(String tag, String method, Class<?> parameter) {
            this.tag = tag;
            this.method = method;
            this.parameter = parameter;
        }

        String tag() {
            return tag;
        }
    }

    private static final Hook[] HOOKS = Hook.values();
    /** Hook calls run on event loops: most take microseconds, a blocking one shows in the last buckets. */
    private static final Duration[] BUCKETS = {Duration.ofNanos(10_000), Duration.ofNanos(50_000), Duration.ofNanos(100_000),
        Duration.ofNanos(500_000), Duration.ofMillis(1), Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(50),
        Duration.ofMillis(100), Duration.ofMillis(500), Duration.ofSeconds(1)};

    /** One call in this many is timed. */
    static final int SAMPLE_EVERY = 16;
    /** What {@link #start} returns for a call that is not timed: {@link System#nanoTime()} can be any other value. */
    private static final long NOT_TIMED = Long.MIN_VALUE;

    /** By {@link Hook#ordinal()}; null for a hook the plugin does not override. */
    private final Timer[] timers;
    private final Counter[] calls;
    /**
     * Calls by hook, to pick the sampled ones. Event loops increment it without synchronization: a
     * lost increment only moves the sample by a call.
     */
    private final int[] seen;

    private HookTimers(Timer[] timers, Counter[] calls) {
        this.timers = timers;
        this.calls = calls;
        this.seen = new int[timers.length];
    }

    /**
     * Registers the timers of the hooks a plugin overrides.
     *
     * @param registry the proxy's registry
     * @param plugin the plugin type, the {@code plugin} tag
     * @param overrides whether the plugin overrides the SPI method of that name and parameter type
     * @return the timers
     */
    static HookTimers register(MeterRegistry registry, String plugin, BiPredicate<String, Class<?>> overrides) {
        Objects.requireNonNull(registry, "registry");
        Objects.requireNonNull(plugin, "plugin");
        Timer[] timers = new Timer[HOOKS.length];
        Counter[] calls = new Counter[HOOKS.length];
        for (Hook hook : HOOKS) {
            if (overrides.test(hook.method, hook.parameter)) {
                timers[hook.ordinal()] = Timer.builder("pgwarden.plugin.hook.duration")
                        .description("time spent in a plugin's hook, up to its return; one call in " + SAMPLE_EVERY + " is timed")
                        .tags("plugin", plugin, "hook", hook.tag()).serviceLevelObjectives(BUCKETS).register(registry);
                calls[hook.ordinal()] = Counter.builder("pgwarden.plugin.hook.calls")
                        .description("calls of a plugin's hook").tags("plugin", plugin, "hook", hook.tag()).register(registry);
            }
        }
        return new HookTimers(timers, calls);
    }

    /**
     * Called before a hook call: counts it and, for a sampled call, reads the clock.
     *
     * @param hook the hook
     * @return the start to give {@link #record}
     */
    long start(Hook hook) {
        int index = hook.ordinal();
        Counter counter = calls[index];
        if (counter == null) {
            return NOT_TIMED;
        }
        counter.increment();
        return seen[index]++ % SAMPLE_EVERY == 0 ? System.nanoTime() : NOT_TIMED;
    }

    /**
     * Called after a hook call: records its duration when {@link #start} timed it.
     *
     * @param hook the hook
     * @param start what {@link #start} returned
     */
    void record(Hook hook, long start) {
        if (start != NOT_TIMED) {
            timers[hook.ordinal()].record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
        }
    }
}
