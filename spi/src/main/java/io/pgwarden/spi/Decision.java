package io.pgwarden.spi;

import java.util.Objects;
import java.util.concurrent.CompletionStage;

/**
 * What a hook decided. Which decisions a hook may return is written on the hook; a decision a
 * hook may not return ends the session with an internal error naming the plugin.
 *
 * <p>Synchronous decisions are constants or small records, so the common path allocates
 * nothing. A hook that must do I/O returns {@link #later} and the session waits for it without
 * blocking its event loop.
 */
public sealed interface Decision
        permits Decision.Proceed, Decision.Reject, Decision.Rewrite, Decision.Route, Decision.Respond, Decision.Later {

    /**
     * Go on to the next interceptor, then to the server.
     *
     * @return the shared instance
     */
    static Decision proceed() {
        return Proceed.INSTANCE;
    }

    /**
     * Refuse: the client receives an ErrorResponse. During startup and authentication it is
     * FATAL and the connection closes; for a statement it is ERROR and the session goes on.
     *
     * @param sqlState the five-character SQLSTATE, e.g. {@code 42501}
     * @param message the primary message, in words a person understands
     * @param hint a hint, or {@code null}
     * @return the decision
     */
    static Decision reject(String sqlState, String message, String hint) {
        return new Reject(sqlState, message, hint);
    }

    /**
     * Replace the statement's text (onQuery only). Later interceptors see the new text.
     *
     * @param sql the new text
     * @return the decision
     */
    static Decision rewrite(String sql) {
        return new Rewrite(sql);
    }

    /**
     * Send the session (onStartup) or the statement (onQuery) to a named backend.
     *
     * @param backend a backend name from the configuration
     * @return the decision
     */
    static Decision route(String backend) {
        return new Route(backend);
    }

    /**
     * Answer the statement without the server (onQuery only).
     *
     * @param result the rows and command tag to send
     * @return the decision
     */
    static Decision respond(StatementResult result) {
        return new Respond(result);
    }

    /**
     * A decision that will be known later. The session stops reading from its client until
     * the stage completes; a stage that fails ends in an ErrorResponse naming the plugin.
     *
     * @param stage completes with the decision
     * @return the decision
     */
    static Decision later(CompletionStage<Decision> stage) {
        return new Later(stage);
    }

    /** See {@link Decision#proceed()}. */
    final class Proceed implements Decision {
        static final Proceed INSTANCE = new Proceed();

        private Proceed() {
        }

        @Override
        public String toString() {
            return "Proceed";
        }
    }

    /**
     * See {@link Decision#reject}.
     *
     * @param sqlState the SQLSTATE
     * @param message the message
     * @param hint the hint or {@code null}
     */
    record Reject(String sqlState, String message, String hint) implements Decision {
        /** Checks the SQLSTATE shape. */
        public Reject {
            Objects.requireNonNull(sqlState, "sqlState");
            Objects.requireNonNull(message, "message");
            if (!sqlState.matches("[0-9A-Z]{5}")) {
                throw new IllegalArgumentException("SQLSTATE must be five digits or capital letters: " + sqlState);
            }
        }
    }

    /**
     * See {@link Decision#rewrite}.
     *
     * @param sql the new statement text
     */
    record Rewrite(String sql) implements Decision {
        /** Checks for null. */
        public Rewrite {
            Objects.requireNonNull(sql, "sql");
        }
    }

    /**
     * See {@link Decision#route}.
     *
     * @param backend the backend name
     */
    record Route(String backend) implements Decision {
        /** Checks for null. */
        public Route {
            Objects.requireNonNull(backend, "backend");
        }
    }

    /**
     * See {@link Decision#respond}.
     *
     * @param result what to send
     */
    record Respond(StatementResult result) implements Decision {
        /** Checks for null. */
        public Respond {
            Objects.requireNonNull(result, "result");
        }
    }

    /**
     * See {@link Decision#later}.
     *
     * @param stage the pending decision
     */
    record Later(CompletionStage<Decision> stage) implements Decision {
        /** Checks for null. */
        public Later {
            Objects.requireNonNull(stage, "stage");
        }
    }
}
