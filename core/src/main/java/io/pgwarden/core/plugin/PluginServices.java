package io.pgwarden.core.plugin;

import io.pgwarden.spi.Metrics;
import io.pgwarden.spi.Services;
import java.io.Reader;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.util.Objects;
import java.util.concurrent.Executor;
import javax.sql.DataSource;

/**
 * One plugin entry's view of {@link CoreServices}.
 */
final class PluginServices implements Services {

    private final CoreServices core;
    private final String yamlPath;
    private final ClassLoader pluginLoader;
    private final System.Logger logger;
    private final Metrics metrics;
    private final Executor executor;

    PluginServices(CoreServices core, String type, String yamlPath, ClassLoader pluginLoader) {
        this.core = Objects.requireNonNull(core, "core");
        this.yamlPath = Objects.requireNonNull(yamlPath, "yamlPath");
        this.pluginLoader = Objects.requireNonNull(pluginLoader, "pluginLoader");
        this.logger = new Slf4jSystemLogger("pgwarden.plugin." + Objects.requireNonNull(type, "type"));
        this.metrics = new MicrometerMetrics(core.meterRegistry(), pluginLoader);
        Executor shared = core.blockingExecutor();
        this.executor = task -> {
            Objects.requireNonNull(task, "task");
            shared.execute(() -> {
                Thread thread = Thread.currentThread();
                ClassLoader previous = thread.getContextClassLoader();
                thread.setContextClassLoader(this.pluginLoader);
                try {
                    task.run();
                } finally {
                    thread.setContextClassLoader(previous);
                }
            });
        };
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
        return executor;
    }

    @Override
    public Clock clock() {
        return core.clock();
    }

    @Override
    public String resolveSecret(String reference) {
        return core.resolveSecret(reference, yamlPath);
    }

    @Override
    public DataSource dataSource(String backend, String database, String user, String password) {
        return core.dataSource(backend, database, user, password);
    }

    @Override
    public long copyIn(Connection connection, String copyStatement, Reader data)
            throws SQLException {
        return core.copyIn(connection, copyStatement, data);
    }

    @Override
    public String toString() {
        return "Services[" + logger.getName() + "]";
    }
}
