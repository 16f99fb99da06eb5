package io.pgwarden.core.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.pgwarden.core.config.BackendConfig;
import io.pgwarden.core.config.BackendTlsConfig;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The cached backend check against a real listening socket that goes away and comes back. */
class ReadinessTest {

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());

    @AfterEach
    void stop() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private static BackendConfig backend(String name, int port) {
        return new BackendConfig(name, "127.0.0.1", port, new BackendTlsConfig(BackendTlsConfig.Mode.PREFER, null), Duration.ofSeconds(1));
    }

    private static void within5s(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within 5s");
            }
            Thread.sleep(20);
        }
    }

    @Test
    void readyFollowsTheBackendAndTheProxyState() throws Exception {
        AtomicReference<String> proxyState = new AtomicReference<>();
        int port;
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            port = server.getLocalPort();
            try (Readiness readiness = new Readiness(group, NioSocketChannel.class, () -> List.of(backend("primary", port)),
                    Duration.ofMillis(100), proxyState::get)) {
                within5s(() -> readiness.problems().isEmpty());

                proxyState.set("shutting down");
                assertThat(readiness.problems()).containsExactly("proxy: shutting down");
                proxyState.set(null);

                server.close();
                within5s(() -> !readiness.problems().isEmpty());
                assertThat(readiness.problems()).singleElement().asString()
                        .startsWith("backend primary (127.0.0.1:" + port + "): not reachable (");

                try (ServerSocket again = new ServerSocket(port, 50, InetAddress.getLoopbackAddress())) {
                    within5s(() -> readiness.problems().isEmpty());
                }
            }
        }
    }

    @Test
    void backendsAreReadAgainAtEachCheckAndAMovedOneIsCheckedAtItsNewAddress() throws Exception {
        AtomicReference<List<BackendConfig>> backends = new AtomicReference<>();
        try (ServerSocket up = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
             ServerSocket free = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            int down = free.getLocalPort();
            free.close();
            backends.set(List.of(backend("primary", up.getLocalPort())));
            try (Readiness readiness = new Readiness(group, NioSocketChannel.class, backends::get, Duration.ofMillis(100), () -> null)) {
                within5s(() -> readiness.problems().isEmpty());

                backends.set(List.of(backend("primary", up.getLocalPort()), backend("added", down)));
                within5s(() -> readiness.problems().stream().anyMatch(p -> p.startsWith("backend added (127.0.0.1:" + down + "): not reachable")));

                backends.set(List.of(backend("primary", down)));
                assertThat(readiness.problems()).as("the moved backend's old result does not count").singleElement().asString()
                        .startsWith("backend primary");
                within5s(() -> readiness.problems().stream().anyMatch(p -> p.startsWith("backend primary (127.0.0.1:" + down + ")")));

                backends.set(List.of(backend("primary", up.getLocalPort())));
                within5s(() -> readiness.problems().isEmpty());
            }
        }
    }

    @Test
    void aBackendIsNotReadyBeforeItsFirstCheck() {
        try (Readiness readiness = new Readiness(group, NioSocketChannel.class, () -> List.of(backend("primary", 1)),
                Duration.ofHours(1), () -> null)) {
            List<String> problems = readiness.problems();

            assertThat(problems).singleElement().asString()
                    .matches("backend primary(: not checked yet| \\(127.0.0.1:1\\): not reachable.*)");
        }
    }
}
