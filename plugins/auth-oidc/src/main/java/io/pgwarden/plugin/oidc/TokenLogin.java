package io.pgwarden.plugin.oidc;

import io.pgwarden.plugin.oidc.OidcMetrics.Refusal;
import io.pgwarden.spi.AuthOutcome;
import io.pgwarden.spi.BackendLogin;
import io.pgwarden.spi.Identity;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What a token is worth, whichever way it arrived (as the password, method {@code oidc}, or in a
 * SASL OAUTHBEARER exchange, method {@code oauth}): validated, mapped to a person, authorized,
 * provisioned when the rule says so, and turned into a backend login by the rule's strategy. Every
 * refusal is an outcome whose message names what refused and never the token. Runs on the
 * blocking executor (JWKS fetches, certificate minting, provisioning statements).
 */
final class TokenLogin {

    static final String KEYS_UNAVAILABLE = "cannot verify the token: the identity provider's keys are unavailable";
    static final String INTERNAL_ERROR = "internal error during authentication";
    static final String TOO_LARGE = "the token is too large";

    /** Recognizes and validates tokens: TokenValidator's part. */
    interface Tokens {
        /** Cheap, unverified: a JWT whose {@code iss} is a configured issuer. */
        boolean recognizes(String token);

        /** Checks signature, issuer, audience, lifetime and scopes; may do I/O. */
        VerifiedToken validate(String token) throws TokenRejectedException;
    }

    /** Maps a verified token to a person with its issuer's claim mapping: ClaimMapping's part. */
    interface Mapping {
        PersonIdentity map(VerifiedToken token) throws LoginRefusedException;
    }

    /** allowed_groups and databases: AccessPolicy's part. */
    interface Policy {
        /** Empty when allowed, else the message for the client. */
        Optional<String> refusal(PersonIdentity person, String database);
    }

    /** application_name and the identity settings: IdentityPropagation's part. */
    interface Propagation {
        BackendLogin apply(BackendLogin login, PersonIdentity person) throws LoginRefusedException;
    }

    /**
     * The collaborators, one instance per plugin entry.
     *
     * @param tokens validation
     * @param mapping claims to person
     * @param policy authorization
     * @param strategies the configured strategies by name
     * @param propagation identity propagation
     * @param provisioner role provisioning, {@link Provisioner#NONE} without a {@code provisioning} section
     */
    record Parts(Tokens tokens, Mapping mapping, Policy policy, Map<String, LoginStrategy> strategies, Propagation propagation,
                 Provisioner provisioner) {
        /** Checks for null and copies the map. */
        Parts {
            Objects.requireNonNull(tokens, "tokens");
            Objects.requireNonNull(mapping, "mapping");
            Objects.requireNonNull(policy, "policy");
            Objects.requireNonNull(propagation, "propagation");
            Objects.requireNonNull(provisioner, "provisioner");
            strategies = Map.copyOf(strategies);
        }
    }

    /**
     * What the decision needs of the exchange, read on the session's thread.
     *
     * @param sessionId the session, for logs
     * @param user the startup packet's user
     * @param database the database asked for
     * @param options the auth rule's options
     * @param defaultLogin the rule's default backend login
     */
    record Attempt(String sessionId, String user, String database, Map<String, String> options, BackendLogin defaultLogin) {
    }

    private final OidcAuthSettings settings;
    private final Parts parts;
    private final OidcMetrics metrics;
    private final System.Logger logger;

    TokenLogin(OidcAuthSettings settings, Parts parts, OidcMetrics metrics, System.Logger logger) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.parts = Objects.requireNonNull(parts, "parts");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.logger = Objects.requireNonNull(logger, "logger");
    }

    OidcAuthSettings settings() {
        return settings;
    }

    /**
     * Whether an identity came from a token, by method {@code oidc} (token as password) or
     * {@code oauth} (SASL OAUTHBEARER): what the set-role guard and session expiry apply to.
     *
     * @param method the identity's method
     * @return true for {@code oidc} and {@code oauth}
     */
    static boolean isTokenMethod(String method) {
        return OidcAuthenticator.METHOD.equals(method) || OAuthBearerAuthenticator.METHOD.equals(method);
    }

    /** Cheap, unverified: whether the token names a configured issuer. */
    boolean recognizes(String token) {
        return parts.tokens().recognizes(token);
    }

    /**
     * Decides about a token. Call it on the blocking executor.
     *
     * @param attempt the session's attempt
     * @param token the token
     * @param method the method name the identity carries ({@code oidc} or {@code oauth})
     * @return success with the identity and the login, or a refusal; {@link AuthOutcome#notApplicable}
     *     when the validator does not know the token's issuer
     */
    AuthOutcome decide(Attempt attempt, String token, String method) {
        String claimedIssuer = TokenShape.unverifiedIssuer(token).orElse(null);
        try {
            VerifiedToken verified;
            try {
                verified = parts.tokens().validate(token);
            } catch (TokenRejectedException e) {
                return reject(attempt, method, claimedIssuer, e);
            }
            String issuer = verified.issuer();
            PersonIdentity person;
            try {
                person = parts.mapping().map(verified);
            } catch (LoginRefusedException e) {
                return refuse(attempt, method, issuer, Refusal.IDENTITY, e.getMessage());
            }
            if (settings.startupUser() == OidcAuthSettings.StartupUser.MATCH && !attempt.user().equals(person.role())) {
                return refuse(attempt, method, issuer, Refusal.STARTUP_USER,
                        "the token is for \"" + person.role() + "\", not for user \"" + attempt.user() + "\"");
            }
            Optional<String> refusal = parts.policy().refusal(person, attempt.database());
            if (refusal.isPresent()) {
                return refuse(attempt, method, issuer, Refusal.AUTHORIZATION, refusal.get());
            }
            String strategyName = RuleOptions.strategy(attempt.options(), settings);
            LoginStrategy strategy = parts.strategies().get(strategyName);
            if (strategy == null) {
                // checkRuleOptions refuses such a rule at startup.
                throw new IllegalStateException("strategy " + strategyName + " is not configured");
            }
            BackendLogin login;
            try {
                login = parts.propagation().apply(strategy.login(person, attempt.defaultLogin()), person);
            } catch (LoginRefusedException e) {
                return refuse(attempt, method, issuer, Refusal.LOGIN, e.getMessage());
            }
            metrics.login(issuer);
            debug(attempt, method, "person \"" + person.role() + "\" (subject " + person.subject() + ", issuer " + issuer
                    + ") logs in as \"" + login.user() + "\" with strategy " + strategyName);
            return AuthOutcome.success(new Identity(person.subject(), person.role(), person.displayName(), person.groups(), method,
                    person.claims()), login);
        } catch (RuntimeException e) {
            return unexpected(attempt, method, claimedIssuer, e);
        }
    }

    /** A refused token: one text per reason for the client, the validator's message for the log. */
    AuthOutcome reject(Attempt attempt, String method, String issuer, TokenRejectedException e) {
        TokenRejectedException.Reason reason = e.reason();
        metrics.rejected(issuer, reason);
        String logReason = "token refused (" + reason.tag() + (issuer == null ? "" : ", issuer " + issuer) + "): " + e.getMessage();
        debug(attempt, method, logReason);
        return switch (reason) {
            // recognizes() said otherwise; the validator has the last word, and a foreign token is for the next rule.
            case UNKNOWN_ISSUER -> AuthOutcome.notApplicable(logReason);
            case TOO_LARGE -> AuthOutcome.failure("28000", TOO_LARGE, logReason);
            case KEYS_UNAVAILABLE -> AuthOutcome.failure("08006", KEYS_UNAVAILABLE, logReason);
            default -> AuthOutcome.failure("28000", "invalid token: " + shortReason(reason), logReason);
        };
    }

    /**
     * What the client is told about a refused token: safe to show, the same for every token refused
     * for that reason.
     */
    static String shortReason(TokenRejectedException.Reason reason) {
        return switch (reason) {
            case TOO_LARGE -> "too large";
            case MALFORMED -> "malformed";
            case UNKNOWN_ISSUER -> "unknown issuer";
            case ALGORITHM_NOT_ALLOWED -> "algorithm not allowed";
            case UNKNOWN_KEY -> "unknown signing key";
            case BAD_SIGNATURE -> "signature does not verify";
            case EXPIRED -> "expired";
            case NOT_YET_VALID -> "not yet valid";
            case WRONG_AUDIENCE -> "wrong audience";
            case MISSING_CLAIM -> "missing claim";
            case MISSING_SCOPE -> "missing scope";
            case KEYS_UNAVAILABLE -> "the identity provider's keys are unavailable";
        };
    }

    AuthOutcome refuse(Attempt attempt, String method, String issuer, Refusal refusal, String message) {
        return refuse(attempt, method, issuer, refusal, "28000", message, message + (issuer == null ? "" : " (issuer " + issuer + ")"));
    }

    AuthOutcome refuse(Attempt attempt, String method, String issuer, Refusal refusal, String sqlState, String message,
                       String logReason) {
        metrics.refused(issuer, refusal);
        debug(attempt, method, refusal.tag() + ": " + logReason);
        return AuthOutcome.failure(sqlState, message, logReason);
    }

    AuthOutcome unexpected(Attempt attempt, String method, String issuer, RuntimeException e) {
        metrics.refused(issuer, Refusal.ERROR);
        // Neither the message nor the stack trace: a message could quote what the code choked on (the token).
        // The class and where it was thrown locate the bug.
        StackTraceElement[] trace = e.getStackTrace();
        logger.log(System.Logger.Level.WARNING, "[" + attempt.sessionId() + "] " + method + " failed for user \"" + attempt.user()
                + "\": unexpected " + e.getClass().getName() + (trace.length > 0 ? " at " + trace[0] : ""));
        return AuthOutcome.failure("XX000", INTERNAL_ERROR, "unexpected " + e.getClass().getName());
    }

    private void debug(Attempt attempt, String method, String message) {
        // The core logs every outcome with its log reason at INFO; this adds the detail at DEBUG.
        if (logger.isLoggable(System.Logger.Level.DEBUG)) {
            logger.log(System.Logger.Level.DEBUG, "[" + attempt.sessionId() + "] " + method + " for user \"" + attempt.user() + "\": "
                    + message);
        }
    }
}
