package io.pgwarden.core.backend;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.ssl.SslContext;
import io.pgwarden.core.config.BackendConfig;
import io.pgwarden.core.config.BackendTlsConfig;
import io.pgwarden.core.protocol.backend.BackendKeyData;
import io.pgwarden.spi.Credential;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Forwards a cancel to a backend: a new connection, TLS as the backend's configuration says
 * (PostgreSQL accepts a CancelRequest after SSLRequest and the handshake, and a {@code require} or
 * verifying mode never sends the key in plaintext), the CancelRequest with the server's key, then
 * close. Fire and forget: the outcome is logged at DEBUG and the stage exists for tests and metrics.
 */
public final class CancelForwarder {

    private static final Logger LOG = LoggerFactory.getLogger(CancelForwarder.class);

    private final Class<? extends Channel> channelClass;
    private final EventLoopGroup group;
    private final BackendTlsContexts tlsContexts = new BackendTlsContexts();
    private final BackendAddresses addresses = new BackendAddresses();

    /**
     * @param channelClass the socket channel class matching {@code group} (NIO or epoll)
     * @param group where cancels run when no event loop is given
     */
    public CancelForwarder(Class<? extends Channel> channelClass, EventLoopGroup group) {
        this.channelClass = Objects.requireNonNull(channelClass, "channelClass");
        this.group = Objects.requireNonNull(group, "group");
    }

    /**
     * Sends a cancel on one of this forwarder's event loops.
     *
     * @param backend the server to cancel on
     * @param key the server's BackendKeyData for the connection whose query to cancel
     * @return completes when the request was sent and the connection closed
     */
    public CompletionStage<Void> cancel(BackendConfig backend, BackendKeyData key) {
        return cancel(backend, key, group.next());
    }

    /**
     * Sends a cancel on the given event loop.
     *
     * @param backend the server to cancel on
     * @param key the server's BackendKeyData for the connection whose query to cancel
     * @param loop the event loop for the cancel connection
     * @return completes when the request was sent and the connection closed
     */
    public CompletionStage<Void> cancel(BackendConfig backend, BackendKeyData key, EventLoop loop) {
        Objects.requireNonNull(backend, "backend");
        Objects.requireNonNull(key, "key");
        CompletableFuture<Void> result = new CompletableFuture<>();
        SslContext sslContext = null;
        if (backend.tls().mode() != BackendTlsConfig.Mode.DISABLE) {
            try {
                sslContext = tlsContexts.contextFor(backend.tls(), Credential.none());
            } catch (SSLException | IllegalArgumentException e) {
                return logged(backend, CompletableFuture.failedFuture(new BackendException("08001",
                        "could not set up TLS for backend " + backend.name() + ": " + e.getMessage(), e)));
            }
        }
        CancelRequestHandler handler = new CancelRequestHandler(backend, key, sslContext, result);
        long timeoutMillis = Math.max(1, backend.connectTimeout().toMillis());
        try {
            ScheduledFuture<?> timer = loop.schedule(() -> handler.fail(new BackendException("08001",
                    "cancel to backend " + backend.name() + " timed out after " + timeoutMillis + " ms")),
                    timeoutMillis, TimeUnit.MILLISECONDS);
            result.whenComplete((ignored, error) -> timer.cancel(false));
        } catch (RejectedExecutionException e) {
            return logged(backend, CompletableFuture.failedFuture(shuttingDown(backend, e)));
        }
        addresses.resolve(backend.host()).whenComplete((resolved, error) -> {
            try {
                loop.execute(() -> connect(backend, loop, handler, resolved, error, timeoutMillis));
            } catch (RejectedExecutionException e) {
                handler.fail(shuttingDown(backend, e));
            }
        });
        return logged(backend, result);
    }

    private void connect(BackendConfig backend, EventLoop loop, CancelRequestHandler handler, List<InetAddress> resolved,
                         Throwable error, long timeoutMillis) {
        if (error != null) {
            handler.fail(new BackendException("08001", "could not resolve backend " + backend.name() + " host "
                    + backend.host(), error));
            return;
        }
        new Bootstrap().group(loop).channel(channelClass)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, timeoutMillis))
                .handler(handler)
                .connect(new InetSocketAddress(resolved.get(0), backend.port()))
                .addListener(done -> {
                    if (!done.isSuccess()) {
                        handler.fail(new BackendException("08001", "could not connect to backend " + backend.name()
                                + " to cancel: " + done.cause().getMessage(), done.cause()));
                    }
                });
    }

    private static BackendException shuttingDown(BackendConfig backend, Exception cause) {
        return new BackendException("08001", "cancel to backend " + backend.name()
                + " not sent: the event loop is shutting down", cause);
    }

    private static CompletionStage<Void> logged(BackendConfig backend, CompletableFuture<Void> result) {
        return result.whenComplete((ignored, error) -> {
            if (error == null) {
                LOG.debug("cancel request sent to backend {}", backend.name());
            } else {
                LOG.debug("cancel request to backend {} failed: {}", backend.name(), error.getMessage());
            }
        });
    }
}
