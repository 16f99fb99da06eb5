package io.pgwarden.plugin.oidc;

import io.pgwarden.plugin.oidc.OidcMetrics.Refusal;
import io.pgwarden.spi.AuthExchange;
import io.pgwarden.spi.AuthOutcome;
import io.pgwarden.spi.Authenticator;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
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

    private final OidcAuthSettings settings;
    private final TokenLogin login;
    private final Executor blockingExecutor;

    OidcAuthenticator(TokenLogin login, Executor blockingExecutor) {
        this.login = Objects.requireNonNull(login, "login");
        this.settings = login.settings();
        this.blockingExecutor = Objects.requireNonNull(blockingExecutor, "blockingExecutor");
    }

    @Override
    public String method() {
        return METHOD;
    }

    @Override
    public void checkRuleOptions(Map<String, String> options) {
        RuleOptions.check(options, settings, login.provisions());
    }

    @Override
    public CompletionStage<AuthOutcome> authenticate(AuthExchange exchange) {
        TokenLogin.Attempt attempt = new TokenLogin.Attempt(exchange.session().sessionId(), exchange.user(), exchange.database(),
                exchange.ruleOptions(), exchange.defaultLogin());
        if (exchange.session().client().tls() == null && !RuleOptions.allowWithoutTls(attempt.options())) {
            return CompletableFuture.completedFuture(login.refuse(attempt, METHOD, null, Refusal.TLS_REQUIRED, "28000",
                    REFUSED_WITHOUT_TLS, "token as password without SSL (allow_without_tls is false)"));
        }
        return exchange.cleartextPassword().thenCompose(password -> {
            try {
                return classify(attempt, password);
            } catch (RuntimeException e) {
                return CompletableFuture.completedFuture(login.unexpected(attempt, METHOD, null, e));
            }
        });
    }

    /** Step 2, on the session's thread: cheap checks only; the password bytes are cleared. */
    private CompletionStage<AuthOutcome> classify(TokenLogin.Attempt attempt, byte[] password) {
        String token;
        try {
            if (password.length > settings.maxTokenSize()) {
                if (TokenShape.looksLikeJwt(password)) {
                    return CompletableFuture.completedFuture(login.reject(attempt, METHOD, null, new TokenRejectedException(
                            TokenRejectedException.Reason.TOO_LARGE, password.length + " bytes, above max_token_size "
                            + settings.maxTokenSize())));
                }
                return CompletableFuture.completedFuture(AuthOutcome.notApplicable("the password is not a token"));
            }
            token = new String(password, StandardCharsets.UTF_8);
        } finally {
            Arrays.fill(password, (byte) 0);
        }
        if (!login.recognizes(token)) {
            return CompletableFuture.completedFuture(AuthOutcome.notApplicable("the password is not a token of a configured issuer"));
        }
        return CompletableFuture.supplyAsync(() -> login.decide(attempt, token, METHOD), blockingExecutor);
    }

    @Override
    public String toString() {
        return "OidcAuthenticator[" + settings.path() + "]";
    }
}
