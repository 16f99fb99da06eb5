package io.pgwarden.core.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.channel.DefaultEventLoop;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.pgwarden.core.config.BackendConfig;
import io.pgwarden.core.config.BackendTlsConfig;
import io.pgwarden.spi.BackendLogin;
import io.pgwarden.spi.Credential;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class BackendConnectorTest {

    private static final BackendLogin LOGIN = new BackendLogin("pg", "db", "alice", Credential.none(), Map.of(), List.of());

    private static BackendConfig backend(BackendTlsConfig tls) {
        return new BackendConfig("pg", "127.0.0.1", 5432, tls, Duration.ofSeconds(1));
    }

    private static BackendException failure(java.util.concurrent.CompletionStage<ServerConnection> stage) {
        try {
            stage.toCompletableFuture().join();
            throw new AssertionError("connected");
        } catch (CompletionException e) {
            return (BackendException) e.getCause();
        }
    }

    @Test
    void missingCaFileFailsBeforeConnecting() {
        BackendConnector connector = new BackendConnector(NioSocketChannel.class, 1024);
        DefaultEventLoop loop = new DefaultEventLoop();
        try {
            BackendException failure = failure(connector.connect(backend(new BackendTlsConfig(
                    BackendTlsConfig.Mode.VERIFY_FULL, Path.of("/nonexistent/ca.pem"))), LOGIN, loop,
                    new CredentialResponder(LOGIN)));
            assertThat(failure.sqlState()).isEqualTo("08001");
            assertThat(failure.message()).startsWith("could not set up TLS for backend pg");
        } finally {
            loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    @Test
    void eventLoopThatIsShuttingDownFailsTheStageInsteadOfHanging() {
        BackendConnector connector = new BackendConnector(NioSocketChannel.class, 1024);
        DefaultEventLoop loop = new DefaultEventLoop();
        loop.shutdownGracefully(0, 0, TimeUnit.SECONDS).syncUninterruptibly();
        BackendException failure = failure(connector.connect(backend(new BackendTlsConfig(
                BackendTlsConfig.Mode.DISABLE, null)), LOGIN, loop, new CredentialResponder(LOGIN)));
        assertThat(failure.sqlState()).isEqualTo("08001");
        assertThat(failure.message()).contains("shutting down");
    }

    @Test
    void maxMessageSizeBelowAHeaderIsRefused() {
        assertThatThrownBy(() -> new BackendConnector(NioSocketChannel.class, 3)).isInstanceOf(IllegalArgumentException.class);
    }
}
