package io.pgwarden.plugin.scram;

import io.pgwarden.plugin.scram.AuthMetrics.Reason;
import io.pgwarden.plugin.scram.RuleOptions.ChannelBinding;
import io.pgwarden.plugin.scram.ScramServerExchange.Challenge;
import io.pgwarden.plugin.scram.ScramServerExchange.Proven;
import io.pgwarden.plugin.scram.ScramServerExchange.Refused;
import io.pgwarden.plugin.scram.ScramServerExchange.Result;
import io.pgwarden.scram.Md5Password;
import io.pgwarden.scram.ScramVerifier;
import io.pgwarden.spi.AuthExchange;
import io.pgwarden.spi.AuthOutcome;
import io.pgwarden.spi.AuthProtocolException;
import io.pgwarden.spi.Authenticator;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The methods {@code scram-sha-256} and {@code md5}. Both run SCRAM-SHA-256(-PLUS) for SCRAM
 * verifiers and plaintext entries; {@code md5}, when the plugin enables it, sends an md5 challenge
 * instead for md5-hash and plaintext entries, switching on the stored form as PostgreSQL does. Users
 * without a usable secret get a mock SCRAM exchange that looks like a real one, then the standard
 * failure.
 */
final class ScramAuthenticator implements Authenticator {

    static final String SCRAM_METHOD = "scram-sha-256";
    static final String MD5_METHOD = "md5";

    /** Why an exchange cannot succeed whatever the client sends, decided before it starts. */
    private record Doom(Reason reason, String logReason) {
    }

    private final String method;
    private final boolean md5Enabled;
    private final String md5Path;
    private final AuthResources resources;
    private final Md5Challenge md5;

    /**
     * Creates the {@code scram-sha-256} method.
     *
     * @param resources what the plugin's methods share
     * @return the authenticator
     */
    static ScramAuthenticator scram(AuthResources resources) {
        return new ScramAuthenticator(SCRAM_METHOD, false, null, resources);
    }

    /**
     * Creates the {@code md5} method.
     *
     * @param md5Enabled the plugin's {@code md5} setting
     * @param md5Path the YAML path of that setting, for log reasons
     * @param resources what the plugin's methods share
     * @return the authenticator
     */
    static ScramAuthenticator md5(boolean md5Enabled, String md5Path, AuthResources resources) {
        return new ScramAuthenticator(MD5_METHOD, md5Enabled, md5Path, resources);
    }

    private ScramAuthenticator(String method, boolean md5Enabled, String md5Path, AuthResources resources) {
        this.method = method;
        this.md5Enabled = md5Enabled;
        this.md5Path = md5Path;
        this.resources = Objects.requireNonNull(resources, "resources");
        this.md5 = new Md5Challenge();
    }

    @Override
    public String method() {
        return method;
    }

    @Override
    public void checkRuleOptions(Map<String, String> options) {
        RuleOptions.checkScram(method, options);
    }

    @Override
    public CompletionStage<AuthOutcome> authenticate(AuthExchange exchange) {
        ChannelBinding mode = RuleOptions.channelBinding(exchange.ruleOptions());
        AuthAttempt attempt = new AuthAttempt(method, exchange, resources);
        boolean tls = exchange.session().client().tls() != null;
        byte[] bindingData = tls ? exchange.tlsServerEndPoint().orElse(null) : null;
        if (mode == ChannelBinding.REQUIRE && bindingData == null) {
            return CompletableFuture.completedFuture(attempt.refuse(Reason.CHANNEL_BINDING, "28000",
                    "channel binding is required, but the connection does not use SSL",
                    "channel_binding is require and the client does not use SSL"));
        }
        List<String> mechanisms = mode == ChannelBinding.DISABLE || bindingData == null
                ? List.of(ScramServerExchange.MECHANISM)
                : mode == ChannelBinding.REQUIRE
                        ? List.of(ScramServerExchange.MECHANISM_PLUS)
                        : List.of(ScramServerExchange.MECHANISM_PLUS, ScramServerExchange.MECHANISM);
        // An md5 answer cannot be bound to the TLS session, so channel_binding: require rules it out.
        boolean md5Allowed = md5Enabled && mode != ChannelBinding.REQUIRE;
        return attempt.lookup()
                .handle((secret, error) -> error != null
                        ? CompletableFuture.completedFuture(attempt.lookupFailed(error))
                        : bySecret(exchange, attempt, secret, mechanisms, bindingData, md5Allowed))
                .thenCompose(Function.identity());
    }

    private CompletionStage<AuthOutcome> bySecret(AuthExchange exchange, AuthAttempt attempt, Optional<StoredSecret> found,
                                                  List<String> mechanisms, byte[] bindingData, boolean md5Allowed) {
        if (found.isEmpty()) {
            return scram(exchange, attempt, mechanisms, bindingData, resources.mocks().verifier(exchange.user()), null,
                    new Doom(Reason.UNKNOWN_USER, "no credentials for this user"));
        }
        StoredSecret secret = found.get();
        if (secret instanceof StoredSecret.Scram scram) {
            return scram(exchange, attempt, mechanisms, bindingData, scram.verifier(), secret, null);
        }
        if (secret instanceof StoredSecret.Plain plain) {
            return md5Allowed
                    ? md5.run(exchange, attempt, Md5Password.hash(exchange.user(), plain.password()), secret)
                    : scram(exchange, attempt, mechanisms, bindingData, plain.verifier(), secret, null);
        }
        StoredSecret.Md5 stored = (StoredSecret.Md5) secret;
        if (md5Allowed) {
            return md5.run(exchange, attempt, stored.hash(), secret);
        }
        String logReason = !MD5_METHOD.equals(method)
                ? "user does not have a valid SCRAM secret: only an md5 hash is stored"
                : md5Enabled
                        ? "only an md5 hash is stored and the rule requires channel binding, which md5 cannot give"
                        : "only an md5 hash is stored and md5 is disabled (" + md5Path + ")";
        return scram(exchange, attempt, mechanisms, bindingData, resources.mocks().verifier(exchange.user()), null,
                new Doom(Reason.NO_USABLE_SECRET, logReason));
    }

    private CompletionStage<AuthOutcome> scram(AuthExchange exchange, AuthAttempt attempt, List<String> mechanisms,
                                               byte[] bindingData, ScramVerifier verifier, StoredSecret secret, Doom doom) {
        ScramServerExchange scram = ScramServerExchange.create(verifier, mechanisms.contains(ScramServerExchange.MECHANISM_PLUS),
                bindingData);
        return exchange.saslStart(mechanisms).thenCompose(initial -> {
            Result first = step(attempt, () -> scram.receiveClientFirst(initial.mechanism(), initial.initialResponse()));
            if (first instanceof Refused) {
                return CompletableFuture.completedFuture(attempt.refuse(Reason.CHANNEL_BINDING, "28000",
                        "SCRAM channel binding negotiation error",
                        "the client supports SCRAM channel binding but thinks the server does not, while it was offered"));
            }
            return exchange.saslContinue(((Challenge) first).message())
                    .thenCompose(clientFinal -> finish(exchange, attempt, step(attempt, () -> scram.receiveClientFinal(clientFinal)),
                            secret, doom));
        });
    }

    private CompletionStage<AuthOutcome> finish(AuthExchange exchange, AuthAttempt attempt, Result last, StoredSecret secret,
                                                Doom doom) {
        if (last instanceof Refused refused && refused.refusal() == ScramServerExchange.Refusal.CHANNEL_BINDING_MISMATCH) {
            return CompletableFuture.completedFuture(attempt.refuse(Reason.CHANNEL_BINDING, "08P01",
                    "SCRAM channel binding check failed",
                    "the client's channel binding data is not that of the proxy's certificate (a TLS-terminating middlebox?)"));
        }
        if (doom != null) {
            if (last instanceof Proven proven) {
                Arrays.fill(proven.clientKey(), (byte) 0);
            }
            return attempt.fail(doom.reason(), doom.logReason());
        }
        if (last instanceof Proven proven) {
            byte[] clientKey = proven.clientKey();
            try {
                return attempt.succeed(BackendCredential.afterScram(secret, clientKey), () -> exchange.saslFinal(proven.serverFinal()));
            } finally {
                Arrays.fill(clientKey, (byte) 0);
            }
        }
        return attempt.fail(Reason.WRONG_PASSWORD, "wrong password (the SCRAM proof does not match)");
    }

    private static Result step(AuthAttempt attempt, Supplier<Result> step) {
        try {
            return step.get();
        } catch (AuthProtocolException e) {
            attempt.protocolViolation();
            throw e;
        }
    }

    @Override
    public String toString() {
        return "ScramAuthenticator[" + method + (MD5_METHOD.equals(method) ? ", md5 " + (md5Enabled ? "enabled" : "disabled") : "") + "]";
    }
}
