package io.pgwarden.it.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.pgwarden.core.backend.BackendConnector;
import io.pgwarden.core.backend.CredentialResponder;
import io.pgwarden.core.backend.ServerConnection;
import io.pgwarden.core.config.BackendConfig;
import io.pgwarden.core.config.BackendTlsConfig.Mode;
import io.pgwarden.spi.BackendLogin;
import io.pgwarden.spi.Credential;
import io.pgwarden.testkit.EmbeddedPostgres;
import io.pgwarden.testkit.LeakCheckExtension;
import io.pgwarden.testkit.PasswordEncryption;
import io.pgwarden.testkit.TestCertificates;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The connector on the native epoll transport, where the platform has it (Linux). */
@ExtendWith(LeakCheckExtension.class)
class BackendEpollIT {

    @Test
    void scramPlusOverTlsOnEpoll() throws Exception {
        assumeTrue(Epoll.isAvailable(), () -> "native epoll is not available here: " + Epoll.unavailabilityCause());
        MultiThreadIoEventLoopGroup group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        try (TestCertificates certificates = TestCertificates.create();
             EmbeddedPostgres pg = EmbeddedPostgres.builder().tls(certificates)
                     .hba("hostssl all carol 127.0.0.1/32 scram-sha-256")
                     .role("carol", "carol-secret", PasswordEncryption.SCRAM_SHA_256).start()) {
            BackendConnector connector = new BackendConnector(EpollSocketChannel.class, 1 << 20);
            BackendConfig backend = BackendTestSupport.backend("localhost", pg.port(), Mode.VERIFY_FULL,
                    certificates.caCertificate());
            BackendLogin login = BackendTestSupport.login("carol", Credential.password("carol-secret"));
            ServerConnection connection = connector.connect(backend, login, group.next(), new CredentialResponder(login))
                    .toCompletableFuture().get(20, TimeUnit.SECONDS);
            assertThat(connection.channel()).isInstanceOf(EpollSocketChannel.class);
            assertThat(BackendTestSupport.queryAndClose(connection,
                    "SELECT ssl::text || ' ' || current_user FROM pg_stat_ssl WHERE pid = pg_backend_pid()"))
                    .isEqualTo("true carol");
        } finally {
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }
}
