package io.pgwarden.it.backend;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgwarden.core.backend.BackendException;
import io.pgwarden.core.config.BackendConfig;
import io.pgwarden.core.config.BackendTlsConfig.Mode;
import io.pgwarden.core.config.BackendTlsConfig;
import io.pgwarden.spi.Credential;
import io.pgwarden.testkit.LeakCheckExtension;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Backends that cannot be reached or never answer fail with 08001 within the connect timeout. */
@ExtendWith(LeakCheckExtension.class)
class BackendConnectFailureIT {

    private static BackendTestSupport support;

    @BeforeAll
    static void start() {
        support = new BackendTestSupport();
    }

    @AfterAll
    static void stop() {
        support.close();
    }

    private static BackendConfig backend(String host, int port, Mode mode, Duration timeout) {
        return new BackendConfig("pg", host, port, new BackendTlsConfig(mode, null), timeout);
    }

    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    @Test
    void refusedConnectionIs08001NamingTheBackend() throws IOException {
        int port = closedPort();
        long start = System.nanoTime();
        BackendException failure = support.failure(backend("127.0.0.1", port, Mode.DISABLE, Duration.ofSeconds(5)),
                BackendTestSupport.login("postgres", Credential.none()));
        assertThat(failure.sqlState()).isEqualTo("08001");
        assertThat(failure.message()).startsWith("could not connect to backend pg (127.0.0.1:" + port + "): ");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void serverThatNeverAnswersTimesOutWithinTheConnectTimeout() throws IOException {
        // The kernel completes the TCP handshake on the listen backlog; nobody ever reads or answers.
        for (Mode mode : new Mode[] {Mode.DISABLE, Mode.REQUIRE}) {
            try (ServerSocket silent = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
                long start = System.nanoTime();
                BackendException failure = support.failure(
                        backend("127.0.0.1", silent.getLocalPort(), mode, Duration.ofMillis(700)),
                        BackendTestSupport.login("postgres", Credential.none()));
                Duration took = Duration.ofNanos(System.nanoTime() - start);
                assertThat(failure.sqlState()).isEqualTo("08001");
                assertThat(failure.message()).contains("timed out after 700 ms")
                        .contains(mode == Mode.DISABLE ? "during authentication" : "waiting for the answer to SSLRequest");
                assertThat(took).isGreaterThanOrEqualTo(Duration.ofMillis(650)).isLessThan(Duration.ofSeconds(3));
            }
        }
    }

    @Test
    void unknownHostIs08001() {
        BackendException failure = support.failure(
                backend("no-such-host.invalid", 5432, Mode.DISABLE, Duration.ofSeconds(5)),
                BackendTestSupport.login("postgres", Credential.none()));
        assertThat(failure.sqlState()).isEqualTo("08001");
        assertThat(failure.message()).contains("could not connect to backend pg (no-such-host.invalid:5432)");
    }

    @Test
    void clientCertificateWithTlsDisabledIsRefusedBeforeConnecting() throws IOException {
        BackendException failure = support.failure(backend("127.0.0.1", closedPort(), Mode.DISABLE, Duration.ofSeconds(5)),
                BackendTestSupport.login("postgres", new Credential.ClientCertificate("x", "y")));
        assertThat(failure.sqlState()).isEqualTo("08001");
        assertThat(failure.message()).contains("client certificate").contains("disabled");
    }

    @Test
    void clientCertificateThatIsNotPemIsRefusedWithoutQuotingIt() throws IOException {
        BackendException failure = support.failure(backend("127.0.0.1", closedPort(), Mode.REQUIRE, Duration.ofSeconds(5)),
                BackendTestSupport.login("postgres", new Credential.ClientCertificate("not a cert", "SECRET-KEY-TEXT")));
        assertThat(failure.sqlState()).isEqualTo("08001");
        assertThat(failure.message()).contains("could not set up TLS").doesNotContain("SECRET-KEY-TEXT");
    }
}
