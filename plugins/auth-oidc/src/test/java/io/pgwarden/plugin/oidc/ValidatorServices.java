package io.pgwarden.plugin.oidc;

import io.pgwarden.spi.Metrics;
import io.pgwarden.spi.Services;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.ResourceBundle;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import javax.sql.DataSource;

/**
 * {@link Services} for the token validator's tests: a clock the test sets (Nimbus' claims check asks
 * it for the time; its key cache uses the system clock), a logger that keeps every line, no metrics.
 */
final class ValidatorServices implements Services {

    final SettableClock clock = new SettableClock();
    final List<String> logLines = new CopyOnWriteArrayList<>();

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
        return new System.Logger() {
            @Override
            public String getName() {
                return "auth-oidc-test";
            }

            @Override
            public boolean isLoggable(Level level) {
                return true;
            }

            @Override
            public void log(Level level, ResourceBundle bundle, String msg, Throwable thrown) {
                logLines.add(level + " " + msg + (thrown == null ? "" : " " + thrown));
            }

            @Override
            public void log(Level level, ResourceBundle bundle, String format, Object... params) {
                logLines.add(level + " " + (params == null || params.length == 0 ? format
                        : java.text.MessageFormat.format(format, params)));
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
        return reference;
    }

    @Override
    public DataSource dataSource(String backend, String database, String user, String password) {
        throw new IllegalArgumentException("no backend named " + backend);
    }

    /** A clock at a whole second (JWT times are seconds) that the test sets; starts at the current second. */
    static final class SettableClock extends Clock {

        private volatile Instant now = Instant.ofEpochSecond(Instant.now().getEpochSecond());

        void set(Instant instant) {
            now = instant;
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
        public Instant instant() {
            return now;
        }
    }
}
