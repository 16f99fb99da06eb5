package io.pgwarden.plugin.oidc;

import io.pgwarden.spi.Metrics;
import io.pgwarden.spi.PluginConfigException;
import io.pgwarden.spi.Services;
import io.pgwarden.testkit.spi.CapturingLogger;
import io.pgwarden.testkit.spi.TestClock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sql.DataSource;

/**
 * {@link Services} for the strategies' and the token validator's tests: a clock the test moves (Nimbus'
 * claims check asks it for the time; its key cache uses the system clock), a logger that keeps every
 * line, environment variables from a map, files read as the core reads them (trailing newline removed),
 * blocking work run on the caller, and no metrics or data sources.
 */
final class StrategyTestServices implements Services {

    private static final Pattern ENV = Pattern.compile("\\$\\{env:([^}]+)}");
    private static final Pattern FILE = Pattern.compile("\\$\\{file:([^}]+)}");

    final TestClock clock = TestClock.atCurrentSecond();
    final CapturingLogger logger = new CapturingLogger();
    private final Map<String, String> environment = new HashMap<>();

    StrategyTestServices env(String name, String value) {
        environment.put(name, value);
        return this;
    }

    @Override
    public String resolveSecret(String reference) {
        Matcher env = ENV.matcher(reference);
        if (env.matches()) {
            String value = environment.get(env.group(1));
            if (value == null) {
                throw new PluginConfigException("plugins", "the environment variable " + env.group(1) + " is not set");
            }
            return value;
        }
        Matcher file = FILE.matcher(reference);
        if (file.matches()) {
            try {
                return Files.readString(Path.of(file.group(1))).stripTrailing();
            } catch (IOException e) {
                throw new PluginConfigException("plugins", "cannot read " + file.group(1));
            }
        }
        return reference;
    }

    @Override
    public Clock clock() {
        return clock;
    }

    @Override
    public Metrics metrics() {
        throw new UnsupportedOperationException("no metrics in these tests");
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
    public DataSource dataSource(String backend, String database, String user, String password) {
        throw new IllegalArgumentException("no backend named " + backend);
    }
}
