package io.pgwarden.spi;

import java.util.Objects;

/**
 * The result of an {@link Authenticator}.
 */
public sealed interface AuthOutcome permits AuthOutcome.Success, AuthOutcome.Failure, AuthOutcome.NotApplicable {

    /**
     * The client is who it says.
     *
     * @param identity who the client is
     * @param login the backend login for this identity, or {@code null} to use the rule's default
     * @return the outcome
     */
    static AuthOutcome success(Identity identity, BackendLogin login) {
        return new Success(identity, login);
    }

    /**
     * The client is refused with FATAL {@code 28P01} ("password authentication failed for user").
     * The reason goes to the log only; the client sees the same text whatever the reason.
     *
     * @param logReason why, for the log; never a secret
     * @return the outcome
     */
    static AuthOutcome failure(String logReason) {
        return new Failure("28P01", null, logReason);
    }

    /**
     * The client is refused with a chosen SQLSTATE and message, e.g. {@code 28000} for a
     * person whose groups do not allow this database.
     *
     * @param sqlState the SQLSTATE
     * @param message the message the client sees
     * @param logReason why, for the log
     * @return the outcome
     */
    static AuthOutcome failure(String sqlState, String message, String logReason) {
        return new Failure(sqlState, message, logReason);
    }

    /**
     * This method does not apply to what the client sent (e.g. a password that is not a
     * token); the core tries the next matching auth rule. Answers already given by the client
     * (a cleartext password) are reused by the next method.
     *
     * @param logReason why, for the log
     * @return the outcome
     */
    static AuthOutcome notApplicable(String logReason) {
        return new NotApplicable(logReason);
    }

    /**
     * See {@link AuthOutcome#success}.
     *
     * @param identity the identity
     * @param login the login or {@code null}
     */
    record Success(Identity identity, BackendLogin login) implements AuthOutcome {
        /** Checks for null. */
        public Success {
            Objects.requireNonNull(identity, "identity");
        }
    }

    /**
     * See {@link AuthOutcome#failure(String)}.
     *
     * @param sqlState the SQLSTATE
     * @param message the client-visible message, or {@code null} for the standard one
     * @param logReason the reason for the log
     */
    record Failure(String sqlState, String message, String logReason) implements AuthOutcome {
        /** Checks for null. */
        public Failure {
            Objects.requireNonNull(sqlState, "sqlState");
        }
    }

    /**
     * See {@link AuthOutcome#notApplicable}.
     *
     * @param logReason the reason for the log
     */
    record NotApplicable(String logReason) implements AuthOutcome {
    }
}
