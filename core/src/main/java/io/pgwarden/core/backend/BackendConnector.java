package io.pgwarden.core.backend;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.handler.ssl.SslContext;
import io.pgwarden.core.admin.ByteCounter;
import io.pgwarden.core.config.BackendConfig;
import io.pgwarden.core.config.BackendTlsConfig;
import io.pgwarden.spi.BackendLogin;
import io.pgwarden.spi.Credential;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;

/**
 * Opens logged-in connections to backends: TCP on the caller's event loop (so a session's two
 * sockets share it), TLS negotiated with libpq's sslmode meanings, StartupMessage (protocol 3.0,
 * {@code user}, {@code database}, then the login's parameters; these cannot override user or
 * database), the Authentication exchange through a {@link BackendAuthResponder}, and the server's
 * ParameterStatus, BackendKeyData and first ReadyForQuery. With sslmode {@code prefer} a failed TLS
 * handshake is followed by a plaintext attempt, as libpq does. All of it is bounded by the backend's
 * {@code connectTimeout}; failures complete the stage with a {@link BackendException} and close the
 * channel. See {@link ServerConnection} for the state of the channel on success.
 */
public final class BackendConnector {

    private final Class<? extends Channel> channelClass;
    private final int maxMessageSize;
    private final ByteCounter bytes;
    private final BackendTlsContexts tlsContexts = new BackendTlsContexts();
    private final BackendAddresses addresses = new BackendAddresses();

    /**
     * @param channelClass the socket channel class matching the event loops passed to
     *     {@link #connect} (NIO or epoll)
     * @param maxMessageSize the largest message length the server may send during startup
     */
    public BackendConnector(Class<? extends Channel> channelClass, int maxMessageSize) {
        this(channelClass, maxMessageSize, new ByteCounter());
    }

    /**
     * @param channelClass the socket channel class matching the event loops passed to
     *     {@link #connect} (NIO or epoll)
     * @param maxMessageSize the largest message length the server may send during startup
     * @param bytes counts the bytes of every server connection opened here
     */
    public BackendConnector(Class<? extends Channel> channelClass, int maxMessageSize, ByteCounter bytes) {
        this.bytes = Objects.requireNonNull(bytes, "bytes");
        this.channelClass = Objects.requireNonNull(channelClass, "channelClass");
        if (maxMessageSize < 4) {
            throw new IllegalArgumentException("maxMessageSize must be at least 4: " + maxMessageSize);
        }
        this.maxMessageSize = maxMessageSize;
    }

    /**
     * The counter of the bytes of the server connections opened here.
     *
     * @return the counter
     */
    public ByteCounter bytes() {
        return bytes;
    }

    /**
     * Connects and logs in.
     *
     * @param backend where to connect and how (TLS, timeout)
     * @param login the database, user, credential and startup parameters; a
     *     {@code ClientCertificate} credential is presented in the TLS handshake
     * @param loop the event loop of the new channel
     * @param responder answers the server's Authentication requests
     * @return the connection once the server is ready for queries, or a {@link BackendException}
     */
    public CompletionStage<ServerConnection> connect(BackendConfig backend, BackendLogin login, EventLoop loop,
                                                     BackendAuthResponder responder) {
        Objects.requireNonNull(backend, "backend");
        Objects.requireNonNull(login, "login");
        Objects.requireNonNull(loop, "loop");
        Objects.requireNonNull(responder, "responder");
        SslContext sslContext;
        try {
            sslContext = sslContext(backend, login);
        } catch (BackendException e) {
            return CompletableFuture.failedFuture(e);
        }
        CompletableFuture<ServerConnection> result = new CompletableFuture<>();
        Attempt attempt = new Attempt(backend, login, loop, responder, sslContext, result);
        long timeoutMillis = Math.max(1, backend.connectTimeout().toMillis());
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        try {
            ScheduledFuture<?> timer = loop.schedule(attempt::timedOut, timeoutMillis, TimeUnit.MILLISECONDS);
            result.whenComplete((connection, error) -> timer.cancel(false));
        } catch (RejectedExecutionException e) {
            return CompletableFuture.failedFuture(new BackendException("08001", "could not connect to backend "
                    + BackendFailures.address(backend) + ": the event loop is shutting down", e));
        }
        addresses.resolve(backend.host()).whenComplete((resolved, error) -> {
            try {
                loop.execute(() -> {
                    if (error != null) {
                        Throwable cause = error instanceof CompletionException && error.getCause() != null
                                ? error.getCause() : error;
                        attempt.failConnect("could not resolve host name: " + cause.getMessage(), cause);
                    } else {
                        attempt.connect(resolved, 0, deadline);
                    }
                });
            } catch (RejectedExecutionException e) {
                result.completeExceptionally(new BackendException("08001", "could not connect to backend "
                        + BackendFailures.address(backend) + ": the event loop is shutting down", e));
            }
        });
        return result;
    }

    private SslContext sslContext(BackendConfig backend, BackendLogin login) {
        boolean clientCertificate = login.credential() instanceof Credential.ClientCertificate;
        if (backend.tls().mode() == BackendTlsConfig.Mode.DISABLE) {
            if (clientCertificate) {
                throw new BackendException("08001", "the login for user " + login.user()
                        + " uses a client certificate, but TLS to backend " + backend.name() + " is disabled");
            }
            return null;
        }
        try {
            return tlsContexts.contextFor(backend.tls(), login.credential());
        } catch (SSLException | IllegalArgumentException e) {
            throw new BackendException("08001", "could not set up TLS for backend " + backend.name() + ": "
                    + e.getMessage(), e);
        }
    }

    /** One connection attempt; its methods run on its event loop. */
    private final class Attempt {
        private final BackendConfig backend;
        private final BackendLogin login;
        private final EventLoop loop;
        private final BackendAuthResponder responder;
        private final SslContext sslContext;
        private final CompletableFuture<ServerConnection> result;
        private Channel channel;
        private BackendStartupHandler handler;

        Attempt(BackendConfig backend, BackendLogin login, EventLoop loop, BackendAuthResponder responder,
                SslContext sslContext, CompletableFuture<ServerConnection> result) {
            this.backend = backend;
            this.login = login;
            this.loop = loop;
            this.responder = responder;
            this.sslContext = sslContext;
            this.result = result;
        }

        void connect(List<InetAddress> candidates, int index, long deadline) {
            connect(candidates, index, deadline, sslContext);
        }

        private void connect(List<InetAddress> candidates, int index, long deadline, SslContext ssl) {
            if (result.isDone()) {
                return;
            }
            long remainingMillis = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            Runnable plaintextRetry = ssl != null && backend.tls().mode() == BackendTlsConfig.Mode.PREFER
                    ? () -> connect(candidates, index, deadline, null) : null;
            handler = new BackendStartupHandler(backend, login, responder, ssl, maxMessageSize, result, plaintextRetry);
            Bootstrap bootstrap = new Bootstrap().group(loop).channel(channelClass)
                    .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.max(1, Math.min(Integer.MAX_VALUE, remainingMillis)))
                    .option(ChannelOption.TCP_NODELAY, true)
                    .option(ChannelOption.SO_KEEPALIVE, true)
                    .handler(new io.netty.channel.ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            ch.pipeline().addLast(ByteCounter.NAME, bytes).addLast(BackendStartupHandler.NAME, handler);
                        }
                    });
            InetSocketAddress address = new InetSocketAddress(candidates.get(index), backend.port());
            var future = bootstrap.connect(address);
            channel = future.channel();
            future.addListener(done -> {
                if (done.isSuccess()) {
                    return;
                }
                if (index + 1 < candidates.size() && !result.isDone()) {
                    connect(candidates, index + 1, deadline, ssl);
                } else {
                    Throwable cause = done.cause();
                    failConnect(cause == null ? "connection cancelled" : cause.getMessage(), cause);
                }
            });
        }

        void failConnect(String reason, Throwable cause) {
            BackendException failure = new BackendException("08001", "could not connect to backend "
                    + BackendFailures.address(backend) + ": " + reason, cause);
            if (handler != null) {
                handler.fail(failure);
            } else {
                result.completeExceptionally(failure);
            }
            if (channel != null) {
                channel.close();
            }
        }

        void timedOut() {
            if (result.isDone()) {
                return;
            }
            String phase = handler == null || channel == null || !channel.isActive() ? "during TCP connect" : handler.phase();
            failConnect("timed out after " + backend.connectTimeout().toMillis() + " ms " + phase, null);
        }
    }
}
