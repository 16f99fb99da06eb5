package io.pgwarden.plugin.scram;

import io.pgwarden.spi.Metrics;
import io.pgwarden.spi.PluginConfigException;
import io.pgwarden.spi.Services;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.ResourceBundle;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sql.DataSource;

/**
 * {@link Services} for the credential sources' tests: a clock the test moves, a logger that keeps
 * what it is told, environment variables from a map, data sources from a function, and a blocking
 * executor the test closes.
 */
final class SourceTestServices implements Services, AutoCloseable {

    private static final Pattern ENV = Pattern.compile("\\$\\{env:([^}]+)}");

    final SteppingClock clock = new SteppingClock();
    final RecordingLogger logger = new RecordingLogger();
    private final Map<String, String> environment;
    private final DataSources dataSources;
    private final ExecutorService executor = Executors.newFixedThreadPool(4, task -> {
        Thread thread = new Thread(task, "test-blocking");
        thread.setDaemon(true);
        return thread;
    });

    SourceTestServices() {
        this(Map.of(), (backend, database, user, password) -> {
            throw new IllegalArgumentException("no backend named " + backend);
        });
    }

    SourceTestServices(Map<String, String> environment, DataSources dataSources) {
        this.environment = Map.copyOf(environment);
        this.dataSources = Objects.requireNonNull(dataSources, "dataSources");
    }

    /** What {@link #dataSource} answers with. */
    @FunctionalInterface
    interface DataSources {
        DataSource get(String backend, String database, String user, String password);
    }

    @Override
    public Metrics metrics() {
        return new Metrics() {
            @Override
            public Counter counter(String name, String description, String... tags) {
                return () -> { };
            }

            @Override
            public void gauge(String name, String description, Supplier<Number> value, String... tags) {
            }

            @Override
            public Timer timer(String name, String description, String... tags) {
                return nanos -> { };
            }
        };
    }

    @Override
    public System.Logger logger() {
        return logger;
    }

    @Override
    public ExecutorService blockingExecutor() {
        return executor;
    }

    @Override
    public Clock clock() {
        return clock;
    }

    @Override
    public String resolveSecret(String reference) {
        Matcher matcher = ENV.matcher(reference.trim());
        if (!matcher.matches()) {
            return reference;
        }
        String value = environment.get(matcher.group(1));
        if (value == null) {
            throw new PluginConfigException("plugins[0]", "environment variable " + matcher.group(1) + " is not set");
        }
        return value;
    }

    @Override
    public DataSource dataSource(String backend, String database, String user, String password) {
        return dataSources.get(backend, database, user, password);
    }

    @Override
    public void close() {
        executor.shutdownNow();
        try {
            if (!executor.awaitTermination(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the blocking executor did not stop");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while stopping the blocking executor", e);
        }
    }

    /** A clock that stands still until the test moves it. */
    static final class SteppingClock extends Clock {

        private final AtomicLong millis = new AtomicLong(Instant.parse("2026-01-01T00:00:00Z").toEpochMilli());

        void advance(Duration duration) {
            millis.addAndGet(duration.toMillis());
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            throw new UnsupportedOperationException();
        }

        @Override
        public long millis() {
            return millis.get();
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(millis());
        }
    }

    /** Keeps every message it is given, with its level. */
    static final class RecordingLogger implements System.Logger {

        record Entry(Level level, String message) {
        }

        private final List<Entry> entries = new CopyOnWriteArrayList<>();

        List<Entry> entries() {
            return List.copyOf(entries);
        }

        List<String> messages(Level level) {
            return entries.stream().filter(entry -> entry.level() == level).map(Entry::message).toList();
        }

        String all() {
            return String.join("\n", entries.stream().map(Entry::message).toList());
        }

        @Override
        public String getName() {
            return "test";
        }

        @Override
        public boolean isLoggable(Level level) {
            return true;
        }

        @Override
        public void log(Level level, ResourceBundle bundle, String message, Throwable thrown) {
            entries.add(new Entry(level, thrown == null ? message : message + " " + thrown));
        }

        @Override
        public void log(Level level, ResourceBundle bundle, String format, Object... params) {
            entries.add(new Entry(level, params == null || params.length == 0 ? format
                    : java.text.MessageFormat.format(format, params)));
        }
    }
}
