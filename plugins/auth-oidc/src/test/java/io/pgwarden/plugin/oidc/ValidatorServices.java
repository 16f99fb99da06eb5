package io.pgwarden.plugin.oidc;

import io.pgwarden.spi.Metrics;
import io.pgwarden.spi.Services;
import io.pgwarden.testkit.spi.CapturingLogger;
import io.pgwarden.testkit.spi.RecordingMetrics;
import io.pgwarden.testkit.spi.TestClock;
import java.time.Clock;
import java.util.concurrent.Executor;
import javax.sql.DataSource;

/**
 * {@link Services} for the token validator's tests: a clock the test sets (Nimbus' claims check asks
 * it for the time; its key cache uses the system clock), a logger that keeps every line, no metrics.
 */
final class ValidatorServices implements Services {

    final TestClock clock = TestClock.atCurrentSecond();
    final CapturingLogger logger = new CapturingLogger();

    @Override
    public Metrics metrics() {
        return new RecordingMetrics();
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
        return reference;
    }

    @Override
    public DataSource dataSource(String backend, String database, String user, String password) {
        throw new IllegalArgumentException("no backend named " + backend);
    }
}
