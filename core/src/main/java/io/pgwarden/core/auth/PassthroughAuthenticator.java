package io.pgwarden.core.auth;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.pgwarden.core.backend.AuthRequest;
import io.pgwarden.core.backend.BackendAuthResponder;
import io.pgwarden.core.backend.BackendConnector;
import io.pgwarden.core.backend.BackendException;
import io.pgwarden.core.config.BackendConfig;
import io.pgwarden.core.config.ProxyConfig;
import io.pgwarden.core.pool.PoolRegistry;
import io.pgwarden.core.protocol.frontend.PasswordMessage;
import io.pgwarden.core.protocol.frontend.SaslInitialResponse;
import io.pgwarden.core.protocol.frontend.SaslResponse;
import io.pgwarden.core.session.ClientAuthExchange;
import io.pgwarden.spi.AuthExchange;
import io.pgwarden.spi.AuthOutcome;
import io.pgwarden.spi.Authenticator;
import io.pgwarden.spi.BackendLogin;
import io.pgwarden.spi.Identity;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

/**
 * {@code method: passthrough}: the backend stays the password authority. The proxy logs into the
 * backend as the client's user and relays the backend's own challenge (cleartext, md5 or
 * SCRAM-SHA-256) to the client and the client's answers back. The server that accepted the
 * client joins the login's pool when there is room (docs/pooling.md).
 *
 * <p>SCRAM mechanisms with channel binding ({@code -PLUS}) are never offered across the relay:
 * the binding would name the proxy's certificate on one side and the server's on the other.
 */
public final class PassthroughAuthenticator implements Authenticator {

    /** The method name in auth rules. */
    public static final String METHOD = "passthrough";

    private final ProxyConfig config;
    private final BackendConnector connector;

    /**
     * Creates the authenticator.
     *
     * @param config the configuration, for the backends
     * @param connector opens server connections
     */
    public PassthroughAuthenticator(ProxyConfig config, BackendConnector connector) {
        this.config = config;
        this.connector = connector;
    }

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
        if (!(exchange instanceof ClientAuthExchange core)) {
            throw new IllegalArgumentException("passthrough needs the core's exchange");
        }
        BackendLogin defaults = exchange.defaultLogin();
        BackendConfig backend = config.backends().get(defaults.backend());
        if (backend == null) {
            return CompletableFuture.completedFuture(AuthOutcome.failure("08001",
                    "no backend named \"" + defaults.backend() + "\"", "unknown backend"));
        }
        // Always the client's own user and database: the backend checks the client's password. The
        // connection starts as every pooled one does, since it joins the login's pool.
        BackendLogin login = new BackendLogin(defaults.backend(), exchange.database(), exchange.user(),
                io.pgwarden.spi.Credential.none(), defaults.parameters(), List.of());
        BackendLogin serverLogin = PoolRegistry.serverLogin(login);
        return connector.connect(backend, serverLogin, core.eventLoop(), new Relay(exchange)).handle((server, error) -> {
            if (error != null) {
                Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
                if (cause instanceof BackendException backendError && backendError.serverError().isPresent()) {
                    return AuthOutcome.failure(backendError.sqlState(), backendError.serverError().get().message(),
                            "the backend refused: " + backendError.message());
                }
                if (cause instanceof RuntimeException runtime) {
                    throw runtime;
                }
                throw new CompletionException(cause);
            }
            core.attachAuthenticatedServer(server);
            return AuthOutcome.success(Identity.ofUser(exchange.user(), METHOD), login);
        });
    }

    /** Asks the client what the backend asks the proxy. */
    private static final class Relay implements BackendAuthResponder {
        private final AuthExchange exchange;

        Relay(AuthExchange exchange) {
            this.exchange = exchange;
        }

        @Override
        public CompletionStage<ByteBuf> answer(AuthRequest request, ByteBufAllocator alloc) {
            if (request instanceof AuthRequest.CleartextPassword) {
                return exchange.cleartextPassword().thenApply(password -> encode(alloc, new PasswordMessage(password)));
            }
            if (request instanceof AuthRequest.Md5Password md5) {
                return exchange.md5Password(md5.salt()).thenApply(password -> encode(alloc, new PasswordMessage(password)));
            }
            if (request instanceof AuthRequest.Sasl sasl) {
                List<String> offered = sasl.mechanisms().stream().filter(name -> !name.endsWith("-PLUS")).toList();
                if (offered.isEmpty()) {
                    return CompletableFuture.failedFuture(new BackendException("28000",
                            "the backend offers only SASL mechanisms with channel binding, which cannot be relayed"));
                }
                return exchange.saslStart(offered).thenApply(initial -> {
                    ByteBuf out = alloc.buffer();
                    new SaslInitialResponse(initial.mechanism(), initial.initialResponse()).encode(out);
                    return out;
                });
            }
            if (request instanceof AuthRequest.SaslContinue next) {
                return exchange.saslContinue(next.data()).thenApply(data -> {
                    ByteBuf out = alloc.buffer();
                    new SaslResponse(data).encode(out);
                    return out;
                });
            }
            if (request instanceof AuthRequest.SaslFinal last) {
                exchange.saslFinal(last.data());
                return CompletableFuture.completedFuture(null);
            }
            return CompletableFuture.failedFuture(new BackendException("28000",
                    "the backend asks for an authentication method pgwarden cannot relay"));
        }

        private static ByteBuf encode(ByteBufAllocator alloc, PasswordMessage message) {
            ByteBuf out = alloc.buffer();
            message.encode(out);
            return out;
        }
    }
}
