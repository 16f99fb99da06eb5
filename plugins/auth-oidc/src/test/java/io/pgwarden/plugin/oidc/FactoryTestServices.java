package io.pgwarden.plugin.oidc;

import io.pgwarden.spi.Metrics;
import io.pgwarden.spi.PluginConfigException;
import io.pgwarden.spi.Services;
import io.pgwarden.testkit.spi.CapturingLogger;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sql.DataSource;

/** {@link Services} for the factory's tests: recorded metrics and logs, environment variables from a map, work run in place. */
final class FactoryTestServices implements Services {

    private static final Pattern ENV = Pattern.compile("\\$\\{env:([^}]+)}");

    final RecordingMetrics metrics = new RecordingMetrics();
    final CapturingLogger logger = new CapturingLogger();
    private final Map<String, String> environment;

    FactoryTestServices(Map<String, String> environment) {
        this.environment = Map.copyOf(environment);
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
        return Clock.systemUTC();
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
        throw new IllegalArgumentException("no data sources in these tests");
    }
}
