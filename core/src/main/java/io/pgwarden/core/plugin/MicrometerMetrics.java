package io.pgwarden.core.plugin;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.pgwarden.spi.Metrics;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The SPI's metrics facade over the proxy's Micrometer registry. Gauge suppliers are plugin code
 * called by whoever reads the metrics, so they run with the plugin's context class loader.
 */
final class MicrometerMetrics implements Metrics {

    private final MeterRegistry registry;
    private final ClassLoader pluginLoader;

    MicrometerMetrics(MeterRegistry registry, ClassLoader pluginLoader) {
        this.registry = Objects.requireNonNull(registry, "registry");
        this.pluginLoader = Objects.requireNonNull(pluginLoader, "pluginLoader");
    }

    @Override
    public Counter counter(String name, String description, String... tags) {
        io.micrometer.core.instrument.Counter counter = io.micrometer.core.instrument.Counter.builder(name)
                .description(description).tags(checkedTags(tags)).register(registry);
        return counter::increment;
    }

    @Override
    public void gauge(String name, String description, Supplier<Number> value, String... tags) {
        Objects.requireNonNull(value, "value");
        ClassLoader loader = pluginLoader;
        Supplier<Number> withLoader = () -> {
            Thread thread = Thread.currentThread();
            ClassLoader previous = thread.getContextClassLoader();
            thread.setContextClassLoader(loader);
            try {
                return value.get();
            } finally {
                thread.setContextClassLoader(previous);
            }
        };
        Gauge.builder(name, withLoader).description(description).tags(checkedTags(tags)).register(registry);
    }

    @Override
    public Timer timer(String name, String description, String... tags) {
        io.micrometer.core.instrument.Timer timer = io.micrometer.core.instrument.Timer.builder(name)
                .description(description).tags(checkedTags(tags)).register(registry);
        return nanos -> timer.record(nanos, TimeUnit.NANOSECONDS);
    }

    private static String[] checkedTags(String[] tags) {
        if (tags.length % 2 != 0) {
            throw new IllegalArgumentException("tags come as name/value pairs; got an odd count (" + tags.length + ")");
        }
        return tags;
    }
}
