package io.pgwarden.core.session;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.pgwarden.core.backend.ServerConnection;
import io.pgwarden.core.config.AuthRule;
import io.pgwarden.core.protocol.Frame;
import io.pgwarden.core.protocol.MessageType;
import io.pgwarden.core.protocol.backend.Authentication;
import io.pgwarden.core.protocol.backend.AuthenticationCleartextPassword;
import io.pgwarden.core.protocol.backend.AuthenticationMD5Password;
import io.pgwarden.core.protocol.backend.AuthenticationSASL;
import io.pgwarden.core.protocol.backend.AuthenticationSASLContinue;
import io.pgwarden.core.protocol.backend.AuthenticationSASLFinal;
import io.pgwarden.core.protocol.frontend.PasswordMessage;
import io.pgwarden.core.protocol.frontend.SaslInitialResponse;
import io.pgwarden.core.protocol.frontend.SaslResponse;
import io.pgwarden.spi.AuthExchange;
import io.pgwarden.spi.AuthProtocolException;
import io.pgwarden.spi.BackendLogin;
import io.pgwarden.spi.SessionContext;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The core's side of an authentication conversation: it writes the Authentication messages an
 * authenticator asks for and checks that each answer is the message the protocol expects.
 */
public final class ClientAuthExchange implements AuthExchange {

    private final SessionState session;
    private final Channel channel;
    private final AuthRule rule;
    private final BackendLogin defaultLogin;
    private final byte[] channelBinding;
    private final PasswordCache passwordCache;

    private CompletableFuture<Frame> pending;
    private ServerConnection authenticatedServer;

    ClientAuthExchange(SessionState session, Channel channel, AuthRule rule, BackendLogin defaultLogin,
                       byte[] channelBinding, PasswordCache passwordCache) {
        this.session = session;
        this.channel = channel;
        this.rule = rule;
        this.defaultLogin = defaultLogin;
        this.channelBinding = channelBinding;
        this.passwordCache = passwordCache;
    }

    @Override
    public SessionContext session() {
        return session;
    }

    @Override
    public String user() {
        return session.user();
    }

    @Override
    public String database() {
        return session.database();
    }

    @Override
    public Map<String, String> ruleOptions() {
        return rule.options();
    }

    @Override
    public BackendLogin defaultLogin() {
        return defaultLogin;
    }

    @Override
    public CompletionStage<byte[]> cleartextPassword() {
        if (!channel.eventLoop().inEventLoop()) {
            return onLoop(this::cleartextPassword);
        }
        if (passwordCache.password != null) {
            return CompletableFuture.completedFuture(passwordCache.password.clone());
        }
        return ask(new AuthenticationCleartextPassword(), "password", frame -> {
            byte[] password = PasswordMessage.decode(frame.payload()).password();
            passwordCache.password = password.clone();
            return password;
        });
    }

    @Override
    public CompletionStage<byte[]> md5Password(byte[] salt) {
        return ask(new AuthenticationMD5Password(salt), "md5 password",
                frame -> PasswordMessage.decode(frame.payload()).password());
    }

    @Override
    public CompletionStage<SaslInitial> saslStart(List<String> mechanisms) {
        return ask(new AuthenticationSASL(mechanisms), "SASL initial response", frame -> {
            SaslInitialResponse response = SaslInitialResponse.decode(frame.payload());
            if (!mechanisms.contains(response.mechanism())) {
                throw new AuthProtocolException("client selected an invalid SASL authentication mechanism");
            }
            return new SaslInitial(response.mechanism(), response.data());
        });
    }

    @Override
    public CompletionStage<byte[]> saslContinue(byte[] challenge) {
        return ask(new AuthenticationSASLContinue(challenge), "SASL response",
                frame -> SaslResponse.decode(frame.payload()).data());
    }

    @Override
    public void saslFinal(byte[] outcome) {
        // writeAndFlush from another thread is queued on the loop behind any earlier request.
        ByteBuf out = channel.alloc().buffer();
        new AuthenticationSASLFinal(outcome).encode(out);
        channel.writeAndFlush(out, channel.voidPromise());
    }

    @Override
    public Optional<byte[]> tlsServerEndPoint() {
        return Optional.ofNullable(channelBinding).map(byte[]::clone);
    }

    /** Hands over the passthrough server, once. */
    ServerConnection takeAuthenticatedServer() {
        ServerConnection server = authenticatedServer;
        authenticatedServer = null;
        return server;
    }

    /** The client's event loop, where a passthrough login to the backend runs. */
    public EventLoop eventLoop() {
        return channel.eventLoop();
    }

    /**
     * Sets the server a passthrough authenticator logged into; the session serves the client
     * with it. Core use only.
     *
     * @param server the authenticated server
     */
    public void attachAuthenticatedServer(ServerConnection server) {
        this.authenticatedServer = server;
    }

    /**
     * Runs a request on the session's event loop. Authenticators may call from any thread (an
     * auth_query answer completes on a JDBC thread); the exchange's state is the loop's alone.
     */
    private <T> CompletionStage<T> onLoop(Supplier<CompletionStage<T>> request) {
        CompletableFuture<T> result = new CompletableFuture<>();
        channel.eventLoop().execute(() -> {
            try {
                request.get().whenComplete((value, error) -> {
                    if (error != null) {
                        result.completeExceptionally(error);
                    } else {
                        result.complete(value);
                    }
                });
            } catch (RuntimeException e) {
                result.completeExceptionally(e);
            }
        });
        return result;
    }

    private <T> CompletionStage<T> ask(Authentication request, String expected, Function<Frame, T> decode) {
        if (!channel.eventLoop().inEventLoop()) {
            return onLoop(() -> ask(request, expected, decode));
        }
        if (pending != null) {
            throw new IllegalStateException("an authentication request is already pending");
        }
        if (!channel.isActive()) {
            // The client left while the authenticator worked off the loop (a token check): nobody will answer.
            return CompletableFuture.failedFuture(new AuthProtocolException("the client closed the connection"));
        }
        CompletableFuture<Frame> answer = new CompletableFuture<>();
        pending = answer;
        ByteBuf out = channel.alloc().buffer();
        request.encode(out);
        channel.writeAndFlush(out, channel.voidPromise());
        return answer.thenApply(frame -> {
            try {
                if (frame.type() != MessageType.PASSWORD_MESSAGE) {
                    throw new AuthProtocolException("expected " + expected + ", got message type '"
                            + MessageType.frontendName(frame.type()) + "'");
                }
                return decode.apply(frame);
            } finally {
                frame.release();
            }
        });
    }

    /**
     * Delivers the client's next message. Returns false when nothing was asked, so the caller
     * treats the message as out of order.
     */
    boolean deliver(Frame frame) {
        CompletableFuture<Frame> answer = pending;
        if (answer == null) {
            return false;
        }
        pending = null;
        answer.complete(frame);
        return true;
    }

    /** Fails what is pending: the client left or broke the exchange. */
    void abort(String reason) {
        fail(new AuthProtocolException(reason));
    }

    /**
     * Fails the pending request with {@code error}, e.g. an answer whose length was refused.
     *
     * @return false when nothing was pending
     */
    boolean fail(AuthProtocolException error) {
        CompletableFuture<Frame> answer = pending;
        pending = null;
        if (answer == null) {
            return false;
        }
        answer.completeExceptionally(error);
        return true;
    }

    /** A cleartext password the client gave, kept for the next method of the same session. */
    static final class PasswordCache {
        private byte[] password;

        void clear() {
            if (password != null) {
                Arrays.fill(password, (byte) 0);
                password = null;
            }
        }
    }

    @Override
    public String toString() {
        return "ClientAuthExchange[" + session.sessionId() + ", rule " + rule.path() + "]";
    }
}
