package io.pgwarden.plugin.oidc;

import io.pgwarden.plugin.oidc.OidcMetrics.Refusal;
import io.pgwarden.spi.AuthExchange;
import io.pgwarden.spi.AuthOutcome;
import io.pgwarden.spi.Authenticator;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/**
 * The method {@code oauth}: SASL OAUTHBEARER (RFC 7628) as PostgreSQL 18 speaks it, so that psql 18
 * and other libpq 18 clients sign in with their own device flow.
 *
 * <p>The exchange, as in PostgreSQL's {@code auth-oauth.c}: AuthenticationSASL offers
 * {@code OAUTHBEARER} alone. A client without an initial response gets an empty
 * AuthenticationSASLContinue and sends it next. An initial response with an empty {@code auth}
 * asks where to sign in: it gets the discovery challenge ({@link OAuthDiscovery}), answers with a
 * single 0x01, and the connection ends with FATAL {@code 28000}; libpq then runs the device flow and
 * connects again with a token. A token is validated and turned into a login by {@link TokenLogin}
 * on the blocking executor; accepted, the client gets AuthenticationOk with no SASL final message.
 * Refused for whatever reason (malformed header, invalid or expired token, authorization), the
 * client gets the same challenge, answers 0x01, and gets the same generic FATAL as from PostgreSQL;
 * the reason goes to the log. A message that breaks the grammar gets PostgreSQL's own error
 * ({@link OAuthBearerMessage}). Without client SSL the method refuses before offering anything.
 */
final class OAuthBearerAuthenticator implements Authenticator {

    static final String METHOD = "oauth";
    static final String MECHANISM = "OAUTHBEARER";
    static final String REFUSED_WITHOUT_TLS = "pgwarden offers OAuth sign-in only over SSL; connect with sslmode=require";

    /** The SASLInitialResponse's length word, mechanism name with its NUL, and data length word. */
    private static final int INITIAL_RESPONSE_OVERHEAD = 4 + MECHANISM.length() + 1 + 4;
    /** The SASLResponse's length word. */
    private static final int RESPONSE_OVERHEAD = 4;

    private final TokenLogin login;
    private final OAuthRuleOptions ruleOptions;
    private final Executor blockingExecutor;

    OAuthBearerAuthenticator(TokenLogin login, OAuthRuleOptions ruleOptions, Executor blockingExecutor) {
        this.login = Objects.requireNonNull(login, "login");
        this.ruleOptions = Objects.requireNonNull(ruleOptions, "ruleOptions");
        this.blockingExecutor = Objects.requireNonNull(blockingExecutor, "blockingExecutor");
    }

    @Override
    public String method() {
        return METHOD;
    }

    @Override
    public void checkRuleOptions(Map<String, String> options) {
        ruleOptions.check(options, login.settings());
    }

    @Override
    public CompletionStage<AuthOutcome> authenticate(AuthExchange exchange) {
        TokenLogin.Attempt attempt = new TokenLogin.Attempt(exchange.session().sessionId(), exchange.user(), exchange.database(),
                exchange.ruleOptions(), exchange.defaultLogin());
        if (exchange.session().client().tls() == null) {
            return CompletableFuture.completedFuture(login.refuse(attempt, METHOD, null, Refusal.TLS_REQUIRED, "28000",
                    REFUSED_WITHOUT_TLS, "OAUTHBEARER without SSL"));
        }
        OAuthDiscovery discovery = ruleOptions.discovery(attempt.options());
        return exchange.saslStart(List.of(MECHANISM)).thenCompose(initial -> {
            if (initial.initialResponse() == null) {
                // No initial response: an empty challenge asks for it, and the answer is read as one.
                return exchange.saslContinue(new byte[0])
                        .thenCompose(response -> first(exchange, attempt, discovery, response, RESPONSE_OVERHEAD));
            }
            return first(exchange, attempt, discovery, initial.initialResponse(), INITIAL_RESPONSE_OVERHEAD);
        });
    }

    /** The client's first message: discovery, a token, or a violation. The bytes are cleared. */
    private CompletionStage<AuthOutcome> first(AuthExchange exchange, TokenLogin.Attempt attempt, OAuthDiscovery discovery,
                                               byte[] message, int overhead) {
        String auth;
        try {
            if (overhead + (long) message.length > OAuthBearerMessage.MAX_MESSAGE_LENGTH) {
                return CompletableFuture.completedFuture(oversized(attempt, overhead + (long) message.length));
            }
            auth = OAuthBearerMessage.authValue(message);
        } catch (OAuthBearerViolation e) {
            try {
                return CompletableFuture.completedFuture(violation(e));
            } catch (RuntimeException protocol) {
                return CompletableFuture.failedFuture(protocol);
            }
        } finally {
            Arrays.fill(message, (byte) 0);
        }
        if (auth.isEmpty()) {
            return refuseAfterChallenge(exchange, attempt, discovery, "OAuth discovery: the client asked where to sign in (issuer "
                    + discovery.issuer() + ", scope " + discovery.scope() + ")");
        }
        String token;
        try {
            token = OAuthBearerMessage.bearerToken(auth);
        } catch (TokenRejectedException e) {
            return refuseAfterChallenge(exchange, attempt, discovery, reason(login.reject(attempt, METHOD, null, e)));
        }
        return CompletableFuture.supplyAsync(() -> login.decide(attempt, token, METHOD), blockingExecutor).thenCompose(outcome -> {
            if (outcome instanceof AuthOutcome.Success) {
                // PostgreSQL sends no AuthenticationSASLFinal for OAUTHBEARER: the core's AuthenticationOk follows.
                return CompletableFuture.completedFuture(outcome);
            }
            return refuseAfterChallenge(exchange, attempt, discovery, reason(outcome));
        });
    }

    /**
     * The failure path of RFC 7628 section 3.2.3: the error challenge, the client's single 0x01, and
     * then the generic failure, so that the client cannot tell one reason from another.
     */
    private CompletionStage<AuthOutcome> refuseAfterChallenge(AuthExchange exchange, TokenLogin.Attempt attempt,
                                                              OAuthDiscovery discovery, String logReason) {
        return exchange.saslContinue(discovery.challenge()).thenApply(response -> {
            try {
                if (RESPONSE_OVERHEAD + (long) response.length > OAuthBearerMessage.MAX_MESSAGE_LENGTH) {
                    return oversized(attempt, RESPONSE_OVERHEAD + (long) response.length);
                }
                OAuthBearerMessage.requireKvsep(response);
            } catch (OAuthBearerViolation e) {
                return violation(e);
            } finally {
                Arrays.fill(response, (byte) 0);
            }
            return AuthOutcome.failure("28000", failedFor(attempt), logReason);
        });
    }

    /** A message above PostgreSQL's cap: PostgreSQL drops it unread and fails the login. */
    private AuthOutcome oversized(TokenLogin.Attempt attempt, long length) {
        return AuthOutcome.failure("28000", failedFor(attempt), "SASL message of " + length + " bytes, above the OAUTHBEARER limit of "
                + OAuthBearerMessage.MAX_MESSAGE_LENGTH);
    }

    /** PostgreSQL's words for every refused OAuth sign-in. */
    static String failedFor(TokenLogin.Attempt attempt) {
        return "OAuth bearer authentication failed for user \"" + attempt.user() + "\"";
    }

    /**
     * A grammar violation as PostgreSQL reports it: {@code 08P01} with its detail goes through the
     * core as a protocol violation (thrown, so the stage fails with it); another SQLSTATE
     * ({@code 0A000} for an authorization identity) has no detail and is an ordinary failure.
     *
     * @throws io.pgwarden.spi.AuthProtocolException for {@code 08P01}
     */
    private static AuthOutcome violation(OAuthBearerViolation e) {
        if (e.sqlState().equals(OAuthBearerViolation.PROTOCOL_VIOLATION)) {
            throw e.toProtocolException();
        }
        return AuthOutcome.failure(e.sqlState(), e.getMessage(), "OAUTHBEARER: " + e.getMessage());
    }

    /** What the log says about a refused token: the decision's own reason, never the token. */
    private static String reason(AuthOutcome outcome) {
        if (outcome instanceof AuthOutcome.Failure failure) {
            return failure.logReason();
        }
        if (outcome instanceof AuthOutcome.NotApplicable notApplicable) {
            return "not a token of a configured issuer: " + notApplicable.logReason();
        }
        return String.valueOf(outcome);
    }

    @Override
    public String toString() {
        return "OAuthBearerAuthenticator[" + login.settings().path() + "]";
    }
}
