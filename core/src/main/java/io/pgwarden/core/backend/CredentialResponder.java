package io.pgwarden.core.backend;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.pgwarden.core.protocol.frontend.PasswordMessage;
import io.pgwarden.core.protocol.frontend.SaslInitialResponse;
import io.pgwarden.core.protocol.frontend.SaslResponse;
import io.pgwarden.scram.Md5Password;
import io.pgwarden.spi.BackendLogin;
import io.pgwarden.spi.Credential;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.function.Consumer;

/**
 * Answers a backend's Authentication requests from a {@link BackendLogin}'s {@link Credential}:
 * <ul>
 *   <li>{@code Password}: cleartext, md5, SCRAM-SHA-256, and SCRAM-SHA-256-PLUS with
 *       {@code tls-server-end-point} channel binding when the connection is TLS and the server offers
 *       it (as libpq does with {@code channel_binding=prefer}); see {@link SaslPrep} for how the
 *       password is prepared;</li>
 *   <li>{@code ScramKeys}: SCRAM(-PLUS) from ClientKey and ServerKey, without the password; the
 *       server's salt and iteration count do not matter, its verifier must match the keys;</li>
 *   <li>{@code Md5Hash}: md5 only, from the stored hash; a SCRAM or cleartext request is refused
 *       with a message that names the fix (store the SCRAM verifier or the password);</li>
 *   <li>{@code ClientCertificate}: the connector presents it in the TLS handshake; a password
 *       request is refused, as for {@code None}.</li>
 * </ul>
 * The server's SCRAM signature is always verified. One instance serves one connection attempt.
 */
public final class CredentialResponder implements BackendAuthResponder {

    private final String backendName;
    private final String user;
    private final Credential credential;
    private final Executor hashing;
    private ScramClientExchange scram;

    /**
     * A responder that derives SCRAM keys (a CPU-bound loop of thousands of HMACs) in the common
     * fork-join pool, off the event loop.
     *
     * @param login the login whose backend, user and credential to use
     */
    public CredentialResponder(BackendLogin login) {
        this(login, ForkJoinPool.commonPool());
    }

    /**
     * @param login the login whose backend, user and credential to use
     * @param hashing where SCRAM key derivation runs, off the event loop ({@code Runnable::run} runs it
     *     on the calling thread, for tests)
     */
    public CredentialResponder(BackendLogin login, Executor hashing) {
        Objects.requireNonNull(login, "login");
        this.backendName = login.backend();
        this.user = login.user();
        this.credential = login.credential();
        this.hashing = Objects.requireNonNull(hashing, "hashing");
    }

    @Override
    public CompletionStage<ByteBuf> answer(AuthRequest request, ByteBufAllocator allocator) {
        try {
            if (request instanceof AuthRequest.CleartextPassword) {
                return encoded(allocator, new PasswordMessage(
                        password("cleartext").getBytes(StandardCharsets.UTF_8))::encode);
            } else if (request instanceof AuthRequest.Md5Password md5) {
                String answer = credential instanceof Credential.Md5Hash hash
                        ? Md5Password.answerFromHash(hash.hash(), md5.salt())
                        : Md5Password.answer(user, password("md5"), md5.salt());
                return encoded(allocator, new PasswordMessage(answer.getBytes(StandardCharsets.US_ASCII))::encode);
            } else if (request instanceof AuthRequest.Sasl sasl) {
                return startScram(sasl, allocator);
            } else if (request instanceof AuthRequest.SaslContinue next) {
                return continueScram(next, allocator);
            } else {
                return finishScram((AuthRequest.SaslFinal) request);
            }
        } catch (BackendException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private CompletionStage<ByteBuf> startScram(AuthRequest.Sasl sasl, ByteBufAllocator allocator) {
        if (scram != null) {
            throw protocolViolation("sent a second AuthenticationSASL");
        }
        ScramClientExchange.Secret secret;
        if (credential instanceof Credential.Password p) {
            secret = new ScramClientExchange.Secret.Password(p.password());
        } else if (credential instanceof Credential.ScramKeys keys) {
            secret = new ScramClientExchange.Secret.Keys(keys.clientKey(), keys.serverKey());
        } else {
            throw noSecret("SCRAM");
        }
        byte[] binding = sasl.tlsServerEndPoint();
        boolean plus = binding != null && sasl.mechanisms().contains(ScramClientExchange.MECHANISM_PLUS);
        if (!plus && !sasl.mechanisms().contains(ScramClientExchange.MECHANISM)) {
            throw new BackendException("08001", "backend " + backendName + " offers SASL mechanisms "
                    + sasl.mechanisms() + ", none of which pgwarden supports");
        }
        scram = ScramClientExchange.create(secret, binding, plus);
        byte[] first = scram.clientFirstMessage().getBytes(StandardCharsets.US_ASCII);
        return encoded(allocator, new SaslInitialResponse(scram.mechanism(), first)::encode);
    }

    private CompletionStage<ByteBuf> continueScram(AuthRequest.SaslContinue next, ByteBufAllocator allocator) {
        ScramClientExchange exchange = scramInProgress("AuthenticationSASLContinue");
        byte[] serverFirst = next.data();
        return CompletableFuture.supplyAsync(() -> {
            try {
                return exchange.clientFinalMessage(serverFirst);
            } catch (ScramException e) {
                throw scramFailure(e);
            }
        }, hashing).thenApply(clientFinal -> {
            ByteBuf out = allocator.buffer();
            new SaslResponse(clientFinal.getBytes(StandardCharsets.US_ASCII)).encode(out);
            return out;
        });
    }

    private CompletionStage<ByteBuf> finishScram(AuthRequest.SaslFinal last) {
        try {
            scramInProgress("AuthenticationSASLFinal").verifyServerFinal(last.data());
        } catch (ScramException e) {
            throw scramFailure(e);
        } catch (IllegalStateException e) {
            throw protocolViolation("sent AuthenticationSASLFinal before AuthenticationSASLContinue");
        }
        return CompletableFuture.completedFuture(null);
    }

    private ScramClientExchange scramInProgress(String message) {
        if (scram == null) {
            throw protocolViolation("sent " + message + " without AuthenticationSASL");
        }
        return scram;
    }

    private String password(String what) {
        if (credential instanceof Credential.Password p) {
            return p.password();
        }
        throw noSecret(what);
    }

    private BackendException noSecret(String method) {
        if (credential instanceof Credential.Md5Hash) {
            return new BackendException("28000", "backend " + backendName + " asks for " + method + " authentication for user "
                    + user + ", but pgwarden knows only the md5 hash of that user's password, which answers md5 only",
                    "Store the user's SCRAM verifier (or the password) in pgwarden's userlist or auth_query source, "
                            + "or let the backend use md5 for this user.");
        }
        String has = credential instanceof Credential.ScramKeys ? "only SCRAM keys"
                : credential instanceof Credential.ClientCertificate ? "only a client certificate" : "none";
        return new BackendException("08001", "backend " + backendName + " asks for a password for user " + user
                + " but the login has " + has + " (method: " + method + ")");
    }

    private BackendException protocolViolation(String what) {
        return new BackendException("08P01", "backend " + backendName + " " + what);
    }

    private BackendException scramFailure(ScramException e) {
        return new BackendException("08P01", "SCRAM authentication with backend " + backendName + " failed: "
                + e.getMessage());
    }

    private static CompletionStage<ByteBuf> encoded(ByteBufAllocator allocator, Consumer<ByteBuf> encoder) {
        ByteBuf out = allocator.buffer();
        try {
            encoder.accept(out);
        } catch (RuntimeException e) {
            out.release();
            throw e;
        }
        return CompletableFuture.completedFuture(out);
    }
}
