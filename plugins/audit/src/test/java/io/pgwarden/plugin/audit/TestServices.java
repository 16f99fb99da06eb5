package io.pgwarden.plugin.audit;

import io.pgwarden.spi.Metrics;
import io.pgwarden.spi.PluginConfigException;
import io.pgwarden.spi.Services;
import io.pgwarden.testkit.spi.CapturingLogger;
import io.pgwarden.testkit.spi.RecordingMetrics;
import io.pgwarden.testkit.spi.TestClock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.lang.reflect.Proxy;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.Executor;
import javax.sql.DataSource;

/** Services for unit tests: the testkit's recording metrics, capturing logger and settable clock; file secret references. */
final class TestServices implements Services {

    final RecordingMetrics metrics = new RecordingMetrics();
    final CapturingLogger logger = new CapturingLogger();
    final TestClock clock = new TestClock(Instant.parse("2026-11-21T14:00:00Z"));

    /** The value of an untagged counter, -1 when it was never made. */
    long count(String name) {
        return metrics.count(name + "{}");
    }

    /** An untagged counter. */
    Metrics.Counter counter(String name) {
        return metrics.counter(name, "");
    }

    @Override
    public Metrics metrics() {
        return metrics;
    }

    @Override
    public System.Logger logger() {
        return logger;
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

    /**
     * Backend {@code audit} gives a data source whose connections always fail, as a database that is down;
     * any other backend is unknown, as the core says for a name not in {@code backends}.
     */
    @Override
    public DataSource dataSource(String backend, String database, String user, String password) {
        if (!backend.equals("audit")) {
            throw new IllegalArgumentException("no backend named " + backend);
        }
        return (DataSource) Proxy.newProxyInstance(DataSource.class.getClassLoader(), new Class<?>[] {DataSource.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("getConnection")) {
                        throw new SQLException("connection refused (unit test)", "08001");
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
    }
}
