package io.pgwarden.core.auth;

import io.pgwarden.spi.AuthExchange;
import io.pgwarden.spi.AuthOutcome;
import io.pgwarden.spi.Authenticator;
import io.pgwarden.spi.Identity;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * {@code method: trust}: the client is who it says, without a password. The proxy logs into
 * the backend with the rule's configured login, so database credentials live in one place.
 * Use only on networks where the client address is itself the credential.
 */
public final class TrustAuthenticator implements Authenticator {

    /** The method name in auth rules. */
    public static final String METHOD = "trust";

    @Override
    public String method() {
        return METHOD;
    }

    @Override
    public void checkRuleOptions(Map<String, String> options) {
        NoRuleOptions.check(METHOD, options);
    }

    @Override
    public CompletionStage<AuthOutcome> authenticate(AuthExchange exchange) {
        return CompletableFuture.completedFuture(AuthOutcome.success(Identity.ofUser(exchange.user(), METHOD), null));
    }
}
