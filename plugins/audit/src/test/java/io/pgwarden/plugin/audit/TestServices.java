package io.pgwarden.plugin.audit;

import io.pgwarden.spi.Metrics;
import io.pgwarden.spi.PluginConfigException;
import io.pgwarden.spi.Services;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.MessageFormat;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.ResourceBundle;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;

/** Services for unit tests: counting metrics, a capturing logger, a settable clock, file secret references. */
final class TestServices implements Services {

    final Map<String, AtomicLong> counters = new ConcurrentHashMap<>();
    final List<String> logLines = new CopyOnWriteArrayList<>();
    final AtomicLong millis = new AtomicLong(Instant.parse("2026-11-21T14:00:00Z").toEpochMilli());

    private final Clock clock = new Clock() {
        @Override
        public ZoneId getZone() {
            return ZoneId.of("UTC");
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(millis.get());
        }
    };

    long count(String name) {
        AtomicLong counter = counters.get(name);
        return counter == null ? 0 : counter.get();
    }

    Metrics.Counter counter(String name) {
        return counters.computeIfAbsent(name, n -> new AtomicLong())::incrementAndGet;
    }

    @Override
    public Metrics metrics() {
        return new Metrics() {
            @Override
            public Counter counter(String name, String description, String... tags) {
                return TestServices.this.counter(name);
            }

            @Override
            public void gauge(String name, String description, java.util.function.Supplier<Number> value, String... tags) {
            }

            @Override
            public Timer timer(String name, String description, String... tags) {
                return nanos -> { };
            }
        };
    }

    @Override
    public System.Logger logger() {
        return new System.Logger() {
            @Override
            public String getName() {
                return "audit-test";
            }

            @Override
            public boolean isLoggable(Level level) {
                return true;
            }

            @Override
            public void log(Level level, ResourceBundle bundle, String message, Throwable thrown) {
                logLines.add(level + " " + message);
            }

            @Override
            public void log(Level level, ResourceBundle bundle, String format, Object... params) {
                logLines.add(level + " " + (params == null || params.length == 0 ? format : MessageFormat.format(format, params)));
            }
        };
    }

    @Override
    public Executor blockingExecutor() {
        return Runnable::run;
    }

    @Override
    public Clock clock() {
        return clock;
    }

    @Override
    public String resolveSecret(String reference) {
        if (reference.startsWith("${file:") && reference.endsWith("}")) {
            Path file = Path.of(reference.substring(7, reference.length() - 1));
            try {
                return Files.readString(file).stripTrailing();
            } catch (IOException e) {
                throw new PluginConfigException("test", "no file " + file);
            }
        }
        if (reference.startsWith("${env:")) {
            throw new PluginConfigException("test", "no variable");
        }
        return reference;
    }

    @Override
    public DataSource dataSource(String backend, String database, String user, String password) {
        throw new UncheckedIOException(new IOException("no data sources in unit tests"));
    }
}
