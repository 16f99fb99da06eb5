package io.pgwarden.plugin.oidc;

import io.pgwarden.spi.AuthExchange;
import io.pgwarden.spi.AuthOutcome;
import io.pgwarden.spi.Authenticator;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/**
 * The method {@code oauth}: SASL OAUTHBEARER (RFC 7628) as PostgreSQL 18 speaks it, so that psql 18
 * and other libpq 18 clients sign in with their own device flow.
 */
final class OAuthBearerAuthenticator implements Authenticator {

    static final String METHOD = "oauth";

    private final TokenLogin login;
    private final Executor blockingExecutor;

    OAuthBearerAuthenticator(TokenLogin login, Executor blockingExecutor) {
        this.login = Objects.requireNonNull(login, "login");
        this.blockingExecutor = Objects.requireNonNull(blockingExecutor, "blockingExecutor");
    }

    @Override
    public String method() {
        return METHOD;
    }

    @Override
    public CompletionStage<AuthOutcome> authenticate(AuthExchange exchange) {
        return CompletableFuture.completedFuture(AuthOutcome.failure("0A000", "method oauth is not built yet", "PLACEHOLDER"));
    }

    @Override
    public String toString() {
        return "OAuthBearerAuthenticator[" + login.settings().path() + "]";
    }
}
