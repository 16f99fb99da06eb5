package io.pgwarden.plugin.scram;

import io.pgwarden.plugin.scram.AuthMetrics.Reason;
import io.pgwarden.spi.AuthExchange;
import io.pgwarden.spi.AuthOutcome;
import io.pgwarden.spi.Credential;
import io.pgwarden.spi.Identity;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

/**
 * One client's attempt with one method: looks the user up, and turns the authenticator's verdict
 * into an outcome, counting it in the metrics and the failure throttle. Password failures (wrong
 * password, unknown user, no usable secret, locked out) all give the standard 28P01 text after the
 * throttle's delay; refusals that are not password guesses are answered at once and not throttled.
 */
final class AuthAttempt {

    private final String method;
    private final AuthExchange exchange;
    private final AuthResources resources;
    private final FailureThrottle.Key key;

    AuthAttempt(String method, AuthExchange exchange, AuthResources resources) {
        this.method = method;
        this.exchange = exchange;
        this.resources = resources;
        InetSocketAddress address = exchange.session().client().address();
        String ip = address.getAddress() != null ? address.getAddress().getHostAddress() : address.getHostString();
        this.key = new FailureThrottle.Key(exchange.user(), ip);
    }

    /**
     * Looks the client's user up in the credential sources.
     *
     * @return completes with the secret, or empty for an unknown user; fails when no source can answer
     */
    CompletionStage<Optional<StoredSecret>> lookup() {
        try {
            return resources.credentials().lookup(exchange.defaultLogin().backend(), exchange.database(), exchange.user());
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /**
     * Accepts the client unless its (user, address) is locked out.
     *
     * @param credential what the proxy now knows of the user, for the backend login
     * @param confirm runs only when the client is accepted (e.g. sends SASLFinal)
     * @return the outcome
     */
    CompletionStage<AuthOutcome> succeed(Credential credential, Runnable confirm) {
        if (resources.throttle().lockedOut(key)) {
            return fail(Reason.LOCKED_OUT, "locked out");
        }
        resources.throttle().recordSuccess(key);
        confirm.run();
        resources.metrics().success(method);
        return CompletableFuture.completedFuture(
                AuthOutcome.success(Identity.ofUser(exchange.user(), method), BackendCredential.login(exchange, credential)));
    }

    /**
     * Refuses a password attempt with the standard text, after the throttle's delay.
     *
     * @param reason why, for the metrics; replaced by {@link Reason#LOCKED_OUT} while locked out
     * @param logReason why, for the log; never a secret
     * @return the outcome
     */
    CompletionStage<AuthOutcome> fail(Reason reason, String logReason) {
        boolean lockedOut = resources.throttle().lockedOut(key);
        Reason counted = lockedOut ? Reason.LOCKED_OUT : reason;
        String logged = lockedOut && reason != Reason.LOCKED_OUT ? "locked out (" + logReason + ")" : logReason;
        Duration delay = resources.throttle().recordFailure(key);
        resources.metrics().failure(method, counted);
        debug(counted, logged);
        return resources.throttle().after(delay, AuthOutcome.failure(logged));
    }

    /**
     * Refuses the client at once with its own SQLSTATE and message: not a password guess, so not
     * counted by the throttle.
     *
     * @param reason why, for the metrics
     * @param sqlState the SQLSTATE
     * @param message what the client sees
     * @param logReason why, for the log
     * @return the outcome
     */
    AuthOutcome refuse(Reason reason, String sqlState, String message, String logReason) {
        resources.metrics().failure(method, reason);
        debug(reason, logReason);
        return AuthOutcome.failure(sqlState, message, logReason);
    }

    /**
     * Refuses the client because no source could answer (a database that is down): a server-side
     * problem, reported as 08006, not as a wrong password.
     *
     * @param error why
     * @return the outcome
     */
    AuthOutcome lookupFailed(Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        resources.metrics().failure(method, Reason.LOOKUP_ERROR);
        // The core logs the outcome's reason but never sees the exception: log it here.
        resources.logger().log(System.Logger.Level.WARNING, "could not look up the credentials of user \"" + exchange.user()
                + "\" (" + exchange.session().sessionId() + ")", cause);
        return AuthOutcome.failure("08006", "could not look up the credentials of user \"" + exchange.user() + "\"",
                "credential lookup failed: " + cause);
    }

    /** Counts a SCRAM message the client got wrong; the exchange then fails with 08P01. */
    void protocolViolation() {
        resources.metrics().failure(method, Reason.PROTOCOL);
    }

    private void debug(Reason reason, String logReason) {
        // The core logs every failure at INFO with the outcome's log reason; this adds the metric's
        // reason and the address at DEBUG rather than a second INFO line.
        System.Logger logger = resources.logger();
        if (logger.isLoggable(System.Logger.Level.DEBUG)) {
            logger.log(System.Logger.Level.DEBUG, "[" + exchange.session().sessionId() + "] " + method + " failed for user \""
                    + key.user() + "\" from " + key.address() + ": " + reason.tag() + ": " + logReason);
        }
    }
}
