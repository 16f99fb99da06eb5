package io.pgwarden.plugin.oidc;

import io.pgwarden.plugin.oidc.OidcMetrics.Refusal;
import io.pgwarden.spi.AuthExchange;
import io.pgwarden.spi.AuthOutcome;
import io.pgwarden.spi.Authenticator;
import io.pgwarden.spi.BackendLogin;
import io.pgwarden.spi.Identity;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/**
 * The method {@code oidc}: an access token given as the password. Refused without client TLS
 * unless the rule says {@code allow_without_tls: true}, before the client is asked anything. A
 * password that is not a JWT of a configured issuer is not applicable, so the next rule (scram,
 * passthrough) gets it. A token is validated, mapped to a person, authorized, and turned into a
 * backend login by the rule's strategy, all on the blocking executor (JWKS fetches, certificate
 * minting); every refusal is FATAL with a message that names what refused and never the token.
 */
final class OidcAuthenticator implements Authenticator {

    static final String METHOD = "oidc";
    static final String REFUSED_WITHOUT_TLS = "pgwarden refuses a token as password without SSL; connect with sslmode=require";
    static final String TOO_LARGE = "the token is too large";
    static final String KEYS_UNAVAILABLE = "cannot verify the token: the identity provider's keys are unavailable";
    static final String INTERNAL_ERROR = "internal error during authentication";

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
     */
    record Parts(Tokens tokens, Mapping mapping, Policy policy, Map<String, LoginStrategy> strategies, Propagation propagation) {
        /** Checks for null and copies the map. */
        Parts {
            Objects.requireNonNull(tokens, "tokens");
            Objects.requireNonNull(mapping, "mapping");
            Objects.requireNonNull(policy, "policy");
            Objects.requireNonNull(propagation, "propagation");
            strategies = Map.copyOf(strategies);
        }
    }

    /** What the decision needs of the exchange, read on the session's thread. */
    private record Attempt(String sessionId, String user, String database, Map<String, String> options, BackendLogin defaultLogin) {
    }

    private final OidcAuthSettings settings;
    private final Parts parts;
    private final OidcMetrics metrics;
    private final Executor blockingExecutor;
    private final System.Logger logger;

    OidcAuthenticator(OidcAuthSettings settings, Parts parts, OidcMetrics metrics, Executor blockingExecutor, System.Logger logger) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.parts = Objects.requireNonNull(parts, "parts");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.blockingExecutor = Objects.requireNonNull(blockingExecutor, "blockingExecutor");
        this.logger = Objects.requireNonNull(logger, "logger");
    }

    @Override
    public String method() {
        return METHOD;
    }

    @Override
    public void checkRuleOptions(Map<String, String> options) {
        RuleOptions.check(options, settings);
    }

    @Override
    public CompletionStage<AuthOutcome> authenticate(AuthExchange exchange) {
        Attempt attempt = new Attempt(exchange.session().sessionId(), exchange.user(), exchange.database(), exchange.ruleOptions(),
                exchange.defaultLogin());
        if (exchange.session().client().tls() == null && !RuleOptions.allowWithoutTls(attempt.options())) {
            return CompletableFuture.completedFuture(refuse(attempt, null, Refusal.TLS_REQUIRED, "28000", REFUSED_WITHOUT_TLS,
                    "token as password without SSL (allow_without_tls is false)"));
        }
        return exchange.cleartextPassword().thenCompose(password -> {
            try {
                return classify(attempt, password);
            } catch (RuntimeException e) {
                return CompletableFuture.completedFuture(unexpected(attempt, null, e));
            }
        });
    }

    /** Step 2, on the session's thread: cheap checks only; the password bytes are cleared. */
    private CompletionStage<AuthOutcome> classify(Attempt attempt, byte[] password) {
        String token;
        try {
            if (password.length > settings.maxTokenSize()) {
                if (TokenShape.looksLikeJwt(password)) {
                    return CompletableFuture.completedFuture(reject(attempt, null, new TokenRejectedException(
                            TokenRejectedException.Reason.TOO_LARGE, password.length + " bytes, above max_token_size "
                            + settings.maxTokenSize())));
                }
                return CompletableFuture.completedFuture(AuthOutcome.notApplicable("the password is not a token"));
            }
            token = new String(password, StandardCharsets.UTF_8);
        } finally {
            Arrays.fill(password, (byte) 0);
        }
        if (!parts.tokens().recognizes(token)) {
            return CompletableFuture.completedFuture(AuthOutcome.notApplicable("the password is not a token of a configured issuer"));
        }
        return CompletableFuture.supplyAsync(() -> decide(attempt, token), blockingExecutor);
    }

    /** Steps 3 to 7, on the blocking executor. */
    private AuthOutcome decide(Attempt attempt, String token) {
        String claimedIssuer = TokenShape.unverifiedIssuer(token).orElse(null);
        try {
            VerifiedToken verified;
            try {
                verified = parts.tokens().validate(token);
            } catch (TokenRejectedException e) {
                return reject(attempt, claimedIssuer, e);
            }
            String issuer = verified.issuer();
            PersonIdentity person;
            try {
                person = parts.mapping().map(verified);
            } catch (LoginRefusedException e) {
                return refuse(attempt, issuer, Refusal.IDENTITY, e.getMessage());
            }
            if (settings.startupUser() == OidcAuthSettings.StartupUser.MATCH && !attempt.user().equals(person.role())) {
                return refuse(attempt, issuer, Refusal.STARTUP_USER,
                        "the token is for \"" + person.role() + "\", not for user \"" + attempt.user() + "\"");
            }
            Optional<String> refusal = parts.policy().refusal(person, attempt.database());
            if (refusal.isPresent()) {
                return refuse(attempt, issuer, Refusal.AUTHORIZATION, refusal.get());
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
                return refuse(attempt, issuer, Refusal.LOGIN, e.getMessage());
            }
            metrics.login(issuer);
            debug(attempt, "person \"" + person.role() + "\" (subject " + person.subject() + ", issuer " + issuer + ") logs in as \""
                    + login.user() + "\" with strategy " + strategyName);
            return AuthOutcome.success(new Identity(person.subject(), person.role(), person.displayName(), person.groups(), METHOD,
                    person.claims()), login);
        } catch (RuntimeException e) {
            return unexpected(attempt, claimedIssuer, e);
        }
    }

    /** A refused token: one text per reason for the client, the validator's message for the log. */
    private AuthOutcome reject(Attempt attempt, String issuer, TokenRejectedException e) {
        TokenRejectedException.Reason reason = e.reason();
        metrics.rejected(issuer, reason);
        String logReason = "token refused (" + reason.tag() + (issuer == null ? "" : ", issuer " + issuer) + "): " + e.getMessage();
        debug(attempt, logReason);
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

    private AuthOutcome refuse(Attempt attempt, String issuer, Refusal refusal, String message) {
        return refuse(attempt, issuer, refusal, "28000", message, message + (issuer == null ? "" : " (issuer " + issuer + ")"));
    }

    private AuthOutcome refuse(Attempt attempt, String issuer, Refusal refusal, String sqlState, String message, String logReason) {
        metrics.refused(issuer, refusal);
        debug(attempt, refusal.tag() + ": " + logReason);
        return AuthOutcome.failure(sqlState, message, logReason);
    }

    private AuthOutcome unexpected(Attempt attempt, String issuer, RuntimeException e) {
        metrics.refused(issuer, Refusal.ERROR);
        // Neither the message nor the stack trace: a message could quote what the code choked on (the token).
        // The class and where it was thrown locate the bug.
        StackTraceElement[] trace = e.getStackTrace();
        logger.log(System.Logger.Level.WARNING, "[" + attempt.sessionId() + "] " + METHOD + " failed for user \"" + attempt.user()
                + "\": unexpected " + e.getClass().getName() + (trace.length > 0 ? " at " + trace[0] : ""));
        return AuthOutcome.failure("XX000", INTERNAL_ERROR, "unexpected " + e.getClass().getName());
    }

    private void debug(Attempt attempt, String message) {
        // The core logs every outcome with its log reason at INFO; this adds the detail at DEBUG.
        if (logger.isLoggable(System.Logger.Level.DEBUG)) {
            logger.log(System.Logger.Level.DEBUG, "[" + attempt.sessionId() + "] " + METHOD + " for user \"" + attempt.user() + "\": "
                    + message);
        }
    }

    @Override
    public String toString() {
        return "OidcAuthenticator[" + settings.path() + "]";
    }
}
