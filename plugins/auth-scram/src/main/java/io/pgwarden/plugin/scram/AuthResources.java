package io.pgwarden.plugin.scram;

import java.util.Objects;
import java.util.concurrent.Executor;

/**
 * What the plugin's authenticators share: one instance per plugin entry.
 *
 * @param credentials where stored secrets are looked up
 * @param mocks verifiers for users without one
 * @param throttle failure counting per (user, address)
 * @param metrics the plugin's counters
 * @param blockingExecutor where PBKDF2 runs (never on an event loop)
 * @param logger the plugin's logger
 */
record AuthResources(CredentialSource credentials, MockSecrets mocks, FailureThrottle throttle, AuthMetrics metrics,
                     Executor blockingExecutor, System.Logger logger) {

    /** Checks for null. */
    AuthResources {
        Objects.requireNonNull(credentials, "credentials");
        Objects.requireNonNull(mocks, "mocks");
        Objects.requireNonNull(throttle, "throttle");
        Objects.requireNonNull(metrics, "metrics");
        Objects.requireNonNull(blockingExecutor, "blockingExecutor");
        Objects.requireNonNull(logger, "logger");
    }
}
