package io.pgwarden.core.plugin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pgwarden.spi.Decision;
import io.pgwarden.spi.ExecuteContext;
import io.pgwarden.spi.Interceptor;
import io.pgwarden.spi.QueryContext;
import io.pgwarden.spi.RefusalContext;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Every call of a hook the plugin overrides is counted under its plugin and hook, the first and then one in
 * {@value HookTimers#SAMPLE_EVERY} timed; other hooks get no series.
 */
class HookTimersTest {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final ClassLoader pluginLoader = new URLClassLoader("test-plugin", new URL[0], null);

    /** Overrides onQuery, onExecute and onRefused; onQuery fails on a query that says so. */
    private static final class Observer implements Interceptor {
        private ClassLoader seenLoader;

        @Override
        public Decision onQuery(QueryContext context) {
            seenLoader = Thread.currentThread().getContextClassLoader();
            if (context.sql().contains("fail")) {
                throw new IllegalStateException("the plugin failed");
            }
            return Decision.proceed();
        }

        @Override
        public void onExecute(ExecuteContext context) {
            seenLoader = Thread.currentThread().getContextClassLoader();
        }

        @Override
        public void onRefused(RefusalContext context) {
            seenLoader = Thread.currentThread().getContextClassLoader();
        }
    }

    private Timer timer(String plugin, String hook) {
        return registry.get("pgwarden.plugin.hook.duration").tags("plugin", plugin, "hook", hook).timer();
    }

    private double calls(String plugin, String hook) {
        return registry.get("pgwarden.plugin.hook.calls").tags("plugin", plugin, "hook", hook).counter().count();
    }

    @Test
    void callsOfOverriddenHooksAreTimedUnderTheirPluginAndHook() {
        Observer observer = new Observer();
        PluginInterceptor plugin = new PluginInterceptor("observer", "class path", observer, pluginLoader, registry);

        plugin.onQuery(TestContexts.query("SELECT 1"));
        plugin.onQuery(TestContexts.query("SELECT 2"));
        plugin.onExecute(null);
        plugin.onRefused(null);

        assertThat(calls("observer", "onQuery")).isEqualTo(2);
        assertThat(calls("observer", "onExecute")).isEqualTo(1);
        assertThat(calls("observer", "onRefused")).isEqualTo(1);
        assertThat(timer("observer", "onQuery").count()).as("the first call is timed, the second is not").isEqualTo(1);
        assertThat(timer("observer", "onExecute").count()).isEqualTo(1);
        assertThat(timer("observer", "onRefused").count()).isEqualTo(1);
        assertThat(timer("observer", "onQuery").totalTime(TimeUnit.NANOSECONDS)).isPositive();
        assertThat(observer.seenLoader).isSameAs(pluginLoader);
    }

    @Test
    void oneCallInSixteenIsTimedAndEveryCallCounted() {
        PluginInterceptor plugin = new PluginInterceptor("observer", "class path", new Observer(), pluginLoader, registry);

        for (int i = 0; i < 4 * HookTimers.SAMPLE_EVERY + 1; i++) {
            plugin.onQuery(TestContexts.query("SELECT " + i));
        }

        assertThat(calls("observer", "onQuery")).isEqualTo(4 * HookTimers.SAMPLE_EVERY + 1);
        assertThat(timer("observer", "onQuery").count()).as("calls 1, 17, 33, 49 and 65").isEqualTo(5);
    }

    @Test
    void hooksThePluginDoesNotOverrideHaveNoSeries() {
        new PluginInterceptor("observer", "class path", new Observer(), pluginLoader, registry);

        assertThat(registry.find("pgwarden.plugin.hook.duration").tags("plugin", "observer").timers())
                .extracting(timer -> timer.getId().getTag("hook")).containsExactlyInAnyOrder("onQuery", "onExecute", "onRefused");
        assertThat(registry.find("pgwarden.plugin.hook.duration").tag("hook", "onAuth").timer()).isNull();
        assertThat(registry.find("pgwarden.plugin.hook.calls").tags("plugin", "observer").counters())
                .extracting(counter -> counter.getId().getTag("hook")).containsExactlyInAnyOrder("onQuery", "onExecute", "onRefused");
    }

    @Test
    void aHookThatThrowsIsTimedAndTheContextLoaderRestored() {
        ClassLoader before = Thread.currentThread().getContextClassLoader();
        PluginInterceptor plugin = new PluginInterceptor("observer", "class path", new Observer(), pluginLoader, registry);

        assertThatThrownBy(() -> plugin.onQuery(TestContexts.query("SELECT fail"))).hasMessage("the plugin failed");

        assertThat(timer("observer", "onQuery").count()).isEqualTo(1);
        assertThat(calls("observer", "onQuery")).isEqualTo(1);
        assertThat(Thread.currentThread().getContextClassLoader()).isSameAs(before);
    }

    @Test
    void histogramBucketsReachFromMicrosecondsToASecond() {
        new PluginInterceptor("observer", "class path", new Observer(), pluginLoader, registry);

        double[] bucketsMicros = Arrays.stream(timer("observer", "onQuery").takeSnapshot().histogramCounts())
                .mapToDouble(count -> count.bucket(TimeUnit.MICROSECONDS)).toArray();

        assertThat(bucketsMicros).containsExactly(10, 50, 100, 500, 1_000, 5_000, 10_000, 50_000, 100_000, 500_000, 1_000_000);
    }
}
