package io.pgwarden.core.plugin;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.pgwarden.core.config.ConfigException;
import io.pgwarden.core.config.ProxyConfig;
import io.pgwarden.core.config.SecretResolver;
import io.pgwarden.spi.Metrics;
import io.pgwarden.spi.PluginConfigException;
import io.pgwarden.spi.Services;
import java.io.IOException;
import java.io.Reader;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.postgresql.PGConnection;

/**
 * What the core offers plugins, shared by every plugin of one chain: the proxy's metrics
 * registry, SLF4J logging, a bounded executor for blocking work, the clock, secret resolution and
 * pooled side connections to the backends. Each plugin entry gets its own view from
 * {@link #forPlugin}, with a logger named {@code pgwarden.plugin.<type>}.
 */
public final class CoreServices implements Services, AutoCloseable {

    private static final long SHUTDOWN_WAIT_SECONDS = 5;

    private final PrometheusMeterRegistry meterRegistry;
    private final SecretResolver secrets;
    private final ThreadPoolExecutor executor;
    private final BackendDataSources dataSources;
    private final Clock clock;
    private final Metrics metrics;
    private final System.Logger logger = new Slf4jSystemLogger("pgwarden.plugin");

    /**
     * Creates the services with the default executor size.
     *
     * @param config the configuration (backends for side connections)
     * @param secrets resolves {@code ${env:}} and {@code ${file:}} references
     * @param meterRegistry the proxy's single metrics registry
     */
    public CoreServices(ProxyConfig config, SecretResolver secrets, PrometheusMeterRegistry meterRegistry) {
        this(config, secrets, meterRegistry, BlockingExecutor.DEFAULT_THREADS, BlockingExecutor.DEFAULT_QUEUE,
                Clock.systemUTC());
    }

    CoreServices(ProxyConfig config, SecretResolver secrets, PrometheusMeterRegistry meterRegistry,
                 int threads, int queueCapacity, Clock clock) {
        Objects.requireNonNull(config, "config");
        this.secrets = Objects.requireNonNull(secrets, "secrets");
        this.meterRegistry = Objects.requireNonNull(meterRegistry, "meterRegistry");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.executor = BlockingExecutor.create(threads, queueCapacity);
        this.dataSources = new BackendDataSources(config.backends());
        this.metrics = new MicrometerMetrics(meterRegistry, CoreServices.class.getClassLoader());
    }

    /**
     * The view one plugin entry gets: its own logger, secret messages naming its YAML path, and
     * its class loader as context loader for the blocking tasks and gauges it hands over.
     *
     * @param type the plugin type
     * @param yamlPath the entry's YAML path, e.g. {@code plugins[2]}
     * @param pluginLoader the plugin's class loader
     * @return the services for that plugin
     */
    public Services forPlugin(String type, String yamlPath, ClassLoader pluginLoader) {
        return new PluginServices(this, type, yamlPath, pluginLoader);
    }

    /**
     * The proxy's metrics registry, for the {@code /metrics} endpoint.
     *
     * @return the registry
     */
    public PrometheusMeterRegistry meterRegistry() {
        return meterRegistry;
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
        return clock;
    }

    @Override
    public String resolveSecret(String reference) {
        return resolveSecret(reference, "plugins");
    }

    String resolveSecret(String reference, String yamlPath) {
        Objects.requireNonNull(reference, "reference");
        try {
            return secrets.resolve(reference, yamlPath);
        } catch (ConfigException e) {
            String problem = e.problems().get(0);
            String prefix = yamlPath + ": ";
            throw new PluginConfigException(yamlPath, problem.startsWith(prefix) ? problem.substring(prefix.length()) : problem);
        }
    }

    @Override
    public DataSource dataSource(String backend, String database, String user, String password) {
        return dataSources.get(backend, database, user, password);
    }

    @Override
    public long copyIn(Connection connection, String copyStatement, Reader data)
            throws SQLException {
        Objects.requireNonNull(copyStatement, "copyStatement");
        Objects.requireNonNull(data, "data");
        if (connection == null || !connection.isWrapperFor(PGConnection.class)) {
            throw new IllegalArgumentException("copyIn needs a connection from Services.dataSource");
        }
        try {
            return connection.unwrap(PGConnection.class).getCopyAPI().copyIn(copyStatement, data);
        } catch (IOException e) {
            throw new SQLException("reading the COPY data failed: " + e.getMessage(), "58030", e);
        }
    }

    /**
     * Stops the blocking executor (waiting a few seconds for running tasks) and closes the side
     * connection pools. The metrics registry stays open: it belongs to the proxy.
     */
    @Override
    public void close() {
        executor.shutdown();
        try {
            if (!executor.awaitTermination(SHUTDOWN_WAIT_SECONDS, TimeUnit.SECONDS)) {
                executor.shutdownNow();
            }
        } catch (InterruptedException e) {
            executor.shutdownNow();
            Thread.currentThread().interrupt();
        }
        dataSources.close();
    }

    @Override
    public String toString() {
        return "CoreServices";
    }
}
