package io.pgwarden.core.plugin;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.pgwarden.core.config.BackendConfig;
import io.pgwarden.core.config.BackendTlsConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.postgresql.ds.PGSimpleDataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pooled JDBC connections to the configured backends for plugins' side work, one pool per
 * (backend, database, user), shared by every plugin that asks for the same one.
 */
final class BackendDataSources implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(BackendDataSources.class);
    /** Side work is light; a few connections per pool keep the backend's slots for clients. */
    static final int POOL_SIZE = 4;

    private final Map<String, BackendConfig> backends;
    private final Map<Key, Pool> pools = new ConcurrentHashMap<>();
    private volatile boolean closed;

    BackendDataSources(Map<String, BackendConfig> backends) {
        this.backends = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(backends));
    }

    HikariDataSource get(String backend, String database, String user, String password) {
        Objects.requireNonNull(backend, "backend");
        Objects.requireNonNull(database, "database");
        Objects.requireNonNull(user, "user");
        BackendConfig config = backends.get(backend);
        if (config == null) {
            throw new IllegalArgumentException("no backend named '" + backend + "'; configured backends: "
                    + String.join(", ", backends.keySet()));
        }
        if (closed) {
            throw new IllegalStateException("the plugin services are closed");
        }
        Pool pool = pools.computeIfAbsent(new Key(backend, database, user), key -> {
            if (closed) {
                throw new IllegalStateException("the plugin services are closed");
            }
            return new Pool(open(config, key, password), password);
        });
        if (!Objects.equals(pool.password(), password)) {
            throw new IllegalArgumentException("a data source for user '" + user + "' on " + backend + "/" + database
                    + " already exists with another password");
        }
        return pool.dataSource();
    }

    private static HikariDataSource open(BackendConfig backend, Key key, String password) {
        PGSimpleDataSource driver = new PGSimpleDataSource();
        driver.setServerNames(new String[] {backend.host()});
        driver.setPortNumbers(new int[] {backend.port()});
        driver.setDatabaseName(key.database());
        driver.setUser(key.user());
        if (password != null) {
            driver.setPassword(password);
        }
        driver.setApplicationName("pgwarden");
        driver.setConnectTimeout(Math.max(1, (int) Math.min(Integer.MAX_VALUE, backend.connectTimeout().toSeconds())));
        driver.setSslMode(backend.tls().mode().yamlName());
        if (backend.tls().ca() != null) {
            driver.setSslRootCert(backend.tls().ca().toString());
        }
        if (backend.tls().mode() == BackendTlsConfig.Mode.DISABLE) {
            driver.setGssEncMode("disable");
        }
        HikariConfig config = new HikariConfig();
        config.setDataSource(driver);
        config.setPoolName("pgwarden-side-" + key.backend() + "-" + key.database() + "-" + key.user());
        config.setMaximumPoolSize(POOL_SIZE);
        config.setMinimumIdle(0);
        config.setConnectionTimeout(Math.max(250, backend.connectTimeout().toMillis()));
        // Do not connect now: a backend that is down at startup must not stop the proxy.
        config.setInitializationFailTimeout(-1);
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        // Hikari's housekeeping thread inherits the context loader; it must be the core's, not a plugin's.
        thread.setContextClassLoader(BackendDataSources.class.getClassLoader());
        try {
            return new HikariDataSource(config);
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    @Override
    public void close() {
        closed = true;
        List<Pool> open = new ArrayList<>(pools.values());
        pools.clear();
        for (Pool pool : open) {
            try {
                pool.dataSource().close();
            } catch (RuntimeException e) {
                LOG.warn("Closing data source {} failed", pool.dataSource().getPoolName(), e);
            }
        }
    }

    private record Key(String backend, String database, String user) {
    }

    /** A pool and the password it was opened with; the password never leaves this class. */
    private record Pool(HikariDataSource dataSource, String password) {
        @Override
        public String toString() {
            return "Pool[" + dataSource.getPoolName() + "]";
        }
    }
}
