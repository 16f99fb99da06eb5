package io.pgwarden.it.backend;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.EventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.pgwarden.core.backend.BackendAuthResponder;
import io.pgwarden.core.backend.BackendConnector;
import io.pgwarden.core.backend.BackendException;
import io.pgwarden.core.backend.CredentialResponder;
import io.pgwarden.core.backend.ServerConnection;
import io.pgwarden.core.config.BackendConfig;
import io.pgwarden.core.config.BackendTlsConfig;
import io.pgwarden.spi.BackendLogin;
import io.pgwarden.spi.Credential;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** One event loop group and connector for a test class, and the small steps every backend IT takes. */
final class BackendTestSupport implements AutoCloseable {

    final MultiThreadIoEventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    final BackendConnector connector = new BackendConnector(NioSocketChannel.class, 1 << 20);

    static BackendConfig backend(String host, int port, BackendTlsConfig.Mode mode, Path ca) {
        return new BackendConfig("pg", host, port, new BackendTlsConfig(mode, ca), Duration.ofSeconds(10));
    }

    static BackendLogin login(String user, Credential credential) {
        return new BackendLogin("pg", "postgres", user, credential, Map.of("application_name", "backend-it"), List.of());
    }

    EventLoop loop() {
        return group.next();
    }

    ServerConnection connect(BackendConfig backend, BackendLogin login) {
        return connect(backend, login, new CredentialResponder(login));
    }

    ServerConnection connect(BackendConfig backend, BackendLogin login, BackendAuthResponder responder) {
        try {
            return connector.connect(backend, login, loop(), responder).toCompletableFuture().get(20, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new AssertionError("connect failed: " + e.getCause(), e.getCause());
        } catch (InterruptedException | TimeoutException e) {
            throw new AssertionError(e);
        }
    }

    BackendException failure(BackendConfig backend, BackendLogin login) {
        return failure(backend, login, new CredentialResponder(login));
    }

    BackendException failure(BackendConfig backend, BackendLogin login, BackendAuthResponder responder) {
        try {
            ServerConnection connection = connector.connect(backend, login, loop(), responder)
                    .toCompletableFuture().get(20, TimeUnit.SECONDS);
            connection.close();
            throw new AssertionError("connected although it should have failed");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() instanceof CompletionException c ? c.getCause() : e.getCause();
            assertThat(cause).isInstanceOf(BackendException.class);
            return (BackendException) cause;
        } catch (InterruptedException | TimeoutException e) {
            throw new AssertionError(e);
        }
    }

    /** Runs one query on a fresh probe and closes the connection. */
    static String queryAndClose(ServerConnection connection, String sql) {
        try {
            return QueryProbe.attach(connection).query(connection.channel(), sql).single();
        } finally {
            connection.close();
        }
    }

    @Override
    public void close() {
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
