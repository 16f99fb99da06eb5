package io.pgwarden.plugin.scram;

import io.pgwarden.plugin.scram.AuthMetrics.Reason;
import io.pgwarden.scram.Md5Password;
import io.pgwarden.spi.AuthExchange;
import io.pgwarden.spi.AuthOutcome;
import io.pgwarden.spi.Authenticator;
import io.pgwarden.spi.Credential;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * The method {@code password}: the client sends its password in cleartext, which the plugin checks
 * against whatever form is stored. Refused without client TLS unless the rule says
 * {@code allow_without_tls: true}, before the client is asked anything. The check runs on the
 * blocking executor (a SCRAM verifier costs its iteration count in HMACs), and an unknown user costs
 * the same as a known one.
 */
final class PasswordAuthenticator implements Authenticator {

    static final String METHOD = "password";
    static final String REFUSED_WITHOUT_TLS = "pgwarden refuses cleartext password authentication without SSL;"
            + " connect with sslmode=require";

    private final AuthResources resources;

    /** What the check found; the password only when it matched. */
    private record Checked(boolean matches, String password) {
        @Override
        public String toString() {
            return "Checked[" + matches + "]";
        }
    }

    PasswordAuthenticator(AuthResources resources) {
        this.resources = Objects.requireNonNull(resources, "resources");
    }

    @Override
    public String method() {
        return METHOD;
    }

    @Override
    public void checkRuleOptions(Map<String, String> options) {
        RuleOptions.checkPassword(METHOD, options);
    }

    @Override
    public CompletionStage<AuthOutcome> authenticate(AuthExchange exchange) {
        AuthAttempt attempt = new AuthAttempt(METHOD, exchange, resources);
        if (exchange.session().client().tls() == null && !RuleOptions.allowWithoutTls(exchange.ruleOptions())) {
            return CompletableFuture.completedFuture(attempt.refuse(Reason.TLS_REQUIRED, "28000", REFUSED_WITHOUT_TLS,
                    "cleartext password without SSL (allow_without_tls is false)"));
        }
        return attempt.lookup()
                .handle((secret, error) -> error != null
                        ? CompletableFuture.completedFuture(attempt.lookupFailed(error))
                        : ask(exchange, attempt, secret))
                .thenCompose(Function.identity());
    }

    private CompletionStage<AuthOutcome> ask(AuthExchange exchange, AuthAttempt attempt, Optional<StoredSecret> secret) {
        return exchange.cleartextPassword()
                .thenApplyAsync(answer -> check(exchange.user(), secret, answer), resources.blockingExecutor())
                .thenCompose(checked -> {
                    if (checked.matches()) {
                        return attempt.succeed(Credential.password(checked.password()), () -> { });
                    }
                    return secret.isEmpty()
                            ? attempt.fail(Reason.UNKNOWN_USER, "no credentials for this user")
                            : attempt.fail(Reason.WRONG_PASSWORD, "wrong password (cleartext)");
                });
    }

    private Checked check(String user, Optional<StoredSecret> found, byte[] answer) {
        String password;
        try {
            password = new String(answer, StandardCharsets.UTF_8);
        } finally {
            Arrays.fill(answer, (byte) 0);
        }
        boolean matches;
        if (found.isEmpty()) {
            // Same cost as a real check, so that timing does not tell unknown users apart.
            resources.mocks().verifier(user).matchesPassword(password);
            matches = false;
        } else if (found.get() instanceof StoredSecret.Scram scram) {
            matches = scram.verifier().matchesPassword(password);
        } else if (found.get() instanceof StoredSecret.Md5 md5) {
            matches = MessageDigest.isEqual(md5.hash().getBytes(StandardCharsets.US_ASCII),
                    Md5Password.hash(user, password).getBytes(StandardCharsets.US_ASCII));
        } else {
            StoredSecret.Plain plain = (StoredSecret.Plain) found.get();
            matches = MessageDigest.isEqual(plain.password().getBytes(StandardCharsets.UTF_8), password.getBytes(StandardCharsets.UTF_8));
        }
        // PostgreSQL refuses empty passwords whatever is stored.
        matches &= !password.isEmpty();
        return new Checked(matches, matches ? password : null);
    }
}
