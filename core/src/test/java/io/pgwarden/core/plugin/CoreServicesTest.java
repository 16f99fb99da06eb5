package io.pgwarden.core.plugin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.zaxxer.hikari.HikariDataSource;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.pgwarden.core.config.BackendTlsConfig;
import io.pgwarden.core.config.SecretResolver;
import io.pgwarden.spi.Metrics;
import io.pgwarden.spi.PluginConfigException;
import io.pgwarden.spi.Services;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.ds.PGSimpleDataSource;
import org.slf4j.LoggerFactory;

class CoreServicesTest {

    @TempDir
    Path temp;

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final ClassLoader pluginLoader = new URLClassLoader("test-plugin", new URL[0], null);
    private CoreServices services;

    private CoreServices services(int threads, int queue) {
        services = new CoreServices(
                TestConfigs.proxy(temp, List.of(),
                        TestConfigs.backend("primary", 1, BackendTlsConfig.Mode.DISABLE),
                        TestConfigs.backend("replica", 2, BackendTlsConfig.Mode.REQUIRE)),
                new SecretResolver(temp, Map.of("DB_PASSWORD", "s3cret")::get),
                registry, threads, queue, Clock.systemUTC());
        return services;
    }

    @AfterEach
    void close() {
        if (services != null) {
            services.close();
        }
        registry.close();
    }

    @Test
    void countersGaugesAndTimersArePublishedInThePrometheusRegistry() {
        Services plugin = services(2, 4).forPlugin("audit", "plugins[0]", pluginLoader);
        Metrics metrics = plugin.metrics();

        Metrics.Counter counter = metrics.counter("pgwarden.audit.records", "records written", "sink", "jsonl");
        counter.increment();
        counter.increment();
        AtomicInteger queued = new AtomicInteger(7);
        metrics.gauge("pgwarden.audit.queued", "records waiting", queued::get);
        metrics.timer("pgwarden.audit.write", "time to write a record").record(TimeUnit.MILLISECONDS.toNanos(3));

        String scrape = registry.scrape();
        assertThat(scrape).contains("pgwarden_audit_records_total{sink=\"jsonl\"} 2.0");
        assertThat(scrape).contains("pgwarden_audit_queued 7.0");
        assertThat(scrape).contains("pgwarden_audit_write_seconds_count 1");
        assertThat(services.meterRegistry()).isSameAs(registry);
    }

    @Test
    void sameCounterIsReturnedForTheSameNameAndTags() {
        Metrics metrics = services(1, 1).forPlugin("audit", "plugins[0]", pluginLoader).metrics();

        metrics.counter("pgwarden.hits", "hits", "a", "1").increment();
        metrics.counter("pgwarden.hits", "hits", "a", "1").increment();

        assertThat(registry.get("pgwarden.hits").tag("a", "1").counter().count()).isEqualTo(2.0);
    }

    @Test
    void gaugeSupplierRunsWithThePluginContextLoader() {
        Metrics metrics = services(1, 1).forPlugin("audit", "plugins[0]", pluginLoader).metrics();
        metrics.gauge("pgwarden.loader", "which loader", () -> Thread.currentThread().getContextClassLoader() == pluginLoader ? 1 : 0);

        assertThat(registry.get("pgwarden.loader").gauge().value()).isEqualTo(1.0);
    }

    @Test
    void oddTagCountIsRefused() {
        Metrics metrics = services(1, 1).metrics();

        assertThatThrownBy(() -> metrics.counter("pgwarden.x", "x", "lonely"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("pairs");
    }

    @Test
    void loggerIsNamedAfterThePluginAndWritesToSlf4j() {
        Logger logback = (Logger) LoggerFactory.getLogger("pgwarden.plugin.masking");
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        logback.addAppender(appender);
        logback.setLevel(Level.INFO);
        try {
            System.Logger logger = services(1, 1).forPlugin("masking", "plugins[1]", pluginLoader).logger();

            logger.log(System.Logger.Level.INFO, "masked {0} columns of {1}", 3, "users");
            logger.log(System.Logger.Level.WARNING, "rule ignored", new IllegalStateException("why"));
            logger.log(System.Logger.Level.DEBUG, "not shown");

            assertThat(logger.getName()).isEqualTo("pgwarden.plugin.masking");
            assertThat(logger.isLoggable(System.Logger.Level.DEBUG)).isFalse();
            assertThat(logger.isLoggable(System.Logger.Level.ERROR)).isTrue();
            assertThat(logger.isLoggable(System.Logger.Level.OFF)).isFalse();
            assertThat(appender.list).extracting(ILoggingEvent::getFormattedMessage)
                    .containsExactly("masked 3 columns of users", "rule ignored");
            assertThat(appender.list).extracting(ILoggingEvent::getLevel).containsExactly(Level.INFO, Level.WARN);
            assertThat(appender.list.get(1).getThrowableProxy().getMessage()).isEqualTo("why");
        } finally {
            logback.detachAppender(appender);
            logback.setLevel(null);
        }
    }

    @Test
    void blockingExecutorUsesNamedDaemonThreadsAndThePluginContextLoader() throws Exception {
        Executor executor = services(2, 4).forPlugin("oidc", "plugins[0]", pluginLoader).blockingExecutor();
        CompletableFuture<String> seen = new CompletableFuture<>();

        executor.execute(() -> {
            Thread thread = Thread.currentThread();
            seen.complete(thread.getName() + " daemon=" + thread.isDaemon()
                    + " plugin-loader=" + (thread.getContextClassLoader() == pluginLoader));
        });

        assertThat(seen.get(5, TimeUnit.SECONDS)).matches("pgwarden-blocking-\\d+ daemon=true plugin-loader=true");
    }

    @Test
    void blockingExecutorRefusesWorkBeyondItsQueue() throws Exception {
        Executor executor = services(1, 1).blockingExecutor();
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch started = new CountDownLatch(1);
        executor.execute(() -> {
            started.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        assertThat(started.await(5, TimeUnit.SECONDS)).isTrue();
        executor.execute(() -> { });

        try {
            assertThatThrownBy(() -> executor.execute(() -> { })).isInstanceOf(RejectedExecutionException.class);
        } finally {
            release.countDown();
        }
    }

    @Test
    void closeShutsTheExecutorDown() {
        Executor executor = services(1, 1).blockingExecutor();

        services.close();

        assertThatThrownBy(() -> executor.execute(() -> { })).isInstanceOf(RejectedExecutionException.class);
    }

    @Test
    void clockIsUtc() {
        assertThat(services(1, 1).clock().getZone()).isEqualTo(ZoneOffset.UTC);
    }

    @Test
    void secretsResolveFromEnvironmentAndFiles() throws Exception {
        Files.writeString(temp.resolve("token.txt"), "from-file\n");
        Services plugin = services(1, 1).forPlugin("oidc", "plugins[2]", pluginLoader);

        assertThat(plugin.resolveSecret("${env:DB_PASSWORD}")).isEqualTo("s3cret");
        assertThat(plugin.resolveSecret("${file:token.txt}")).isEqualTo("from-file");
        assertThat(plugin.resolveSecret("plain text")).isEqualTo("plain text");
    }

    @Test
    void missingSecretIsAPluginConfigErrorWithThePluginsPathAndNoSecret() {
        Services plugin = services(1, 1).forPlugin("oidc", "plugins[2]", pluginLoader);

        assertThatThrownBy(() -> plugin.resolveSecret("${env:NOT_SET_ANYWHERE}"))
                .isInstanceOfSatisfying(PluginConfigException.class, e -> {
                    assertThat(e.path()).isEqualTo("plugins[2]");
                    assertThat(e.getMessage()).isEqualTo("plugins[2]: environment variable NOT_SET_ANYWHERE is not set");
                });
    }

    @Test
    void dataSourcesAreSharedPerBackendDatabaseAndUser() {
        Services first = services(1, 1).forPlugin("audit", "plugins[0]", pluginLoader);
        Services second = services.forPlugin("oidc", "plugins[1]", pluginLoader);

        DataSource one = first.dataSource("primary", "app", "auditor", "pw");
        DataSource same = second.dataSource("primary", "app", "auditor", "pw");
        DataSource otherUser = first.dataSource("primary", "app", "provisioner", "pw");
        DataSource otherDatabase = first.dataSource("primary", "postgres", "auditor", "pw");

        assertThat(same).isSameAs(one);
        assertThat(otherUser).isNotSameAs(one);
        assertThat(otherDatabase).isNotSameAs(one).isNotSameAs(otherUser);
    }

    @Test
    void dataSourcePointsAtTheNamedBackendWithItsTlsMode() {
        HikariDataSource replica = (HikariDataSource) services(1, 1).dataSource("replica", "app", "reader", null);
        PGSimpleDataSource driver = (PGSimpleDataSource) replica.getDataSource();

        assertThat(driver.getServerNames()).containsExactly("127.0.0.1");
        assertThat(driver.getPortNumbers()).containsExactly(2);
        assertThat(driver.getDatabaseName()).isEqualTo("app");
        assertThat(driver.getUser()).isEqualTo("reader");
        assertThat(driver.getSslMode()).isEqualTo("require");
        assertThat(replica.getMaximumPoolSize()).isEqualTo(BackendDataSources.POOL_SIZE);
    }

    @Test
    void unknownBackendIsRefusedNamingTheConfiguredOnes() {
        services(1, 1);

        assertThatThrownBy(() -> services.dataSource("shunt", "app", "x", null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no backend named 'shunt'")
                .hasMessageContaining("primary, replica");
    }

    @Test
    void sameLoginWithAnotherPasswordIsRefusedWithoutPrintingEither() {
        services(1, 1).dataSource("primary", "app", "auditor", "first-secret");

        assertThatThrownBy(() -> services.dataSource("primary", "app", "auditor", "second-secret"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageNotContaining("first-secret")
                .hasMessageNotContaining("second-secret");
    }

    @Test
    void closeClosesTheDataSources() {
        HikariDataSource dataSource = (HikariDataSource) services(1, 1).dataSource("primary", "app", "auditor", "pw");

        services.close();

        assertThat(dataSource.isClosed()).isTrue();
        assertThatThrownBy(() -> services.dataSource("primary", "app", "auditor", "pw")).isInstanceOf(IllegalStateException.class);
    }
}
