package io.pgwarden.it.backend;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgwarden.core.backend.BackendException;
import io.pgwarden.core.backend.ServerConnection;
import io.pgwarden.core.config.BackendConfig;
import io.pgwarden.core.config.BackendTlsConfig.Mode;
import io.pgwarden.spi.BackendLogin;
import io.pgwarden.spi.Credential;
import io.pgwarden.testkit.EmbeddedPostgres;
import io.pgwarden.testkit.LeakCheckExtension;
import io.pgwarden.testkit.TestCertificates;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * libpq's sslmode meanings against a TLS server and a plaintext one. The TLS server also listens on
 * 127.0.0.2, an address its certificate (localhost, 127.0.0.1) does not name.
 */
@ExtendWith(LeakCheckExtension.class)
class BackendTlsModesIT {

    private static final String SSL_QUERY = "SELECT ssl::text FROM pg_stat_ssl WHERE pid = pg_backend_pid()";
    private static TestCertificates certificates;
    private static EmbeddedPostgres tlsServer;
    private static EmbeddedPostgres plainServer;
    private static BackendTestSupport support;

    @BeforeAll
    static void start() {
        certificates = TestCertificates.create();
        tlsServer = EmbeddedPostgres.builder().tls(certificates)
                .setting("listen_addresses", "127.0.0.1,127.0.0.2")
                .hba("host all all 127.0.0.1/32 trust")
                .hba("host all all 127.0.0.2/32 trust")
                .start();
        plainServer = EmbeddedPostgres.builder().start();
        support = new BackendTestSupport();
    }

    @AfterAll
    static void stop() {
        try {
            support.close();
            plainServer.close();
            tlsServer.close();
        } finally {
            certificates.close();
        }
    }

    private static BackendLogin login() {
        return BackendTestSupport.login(EmbeddedPostgres.SUPERUSER, Credential.none());
    }

    private static BackendConfig tls(String host, Mode mode, Path ca) {
        return BackendTestSupport.backend(host, tlsServer.port(), mode, ca);
    }

    private String ssl(BackendConfig backend) {
        ServerConnection connection = support.connect(backend, login());
        assertThat(connection.encrypted()).isEqualTo(!backend.tls().mode().equals(Mode.DISABLE)
                && backend.port() == tlsServer.port());
        return BackendTestSupport.queryAndClose(connection, SSL_QUERY);
    }

    @Test
    void disableStaysPlaintextOnATlsServer() {
        assertThat(ssl(tls("127.0.0.1", Mode.DISABLE, null))).isEqualTo("false");
    }

    @Test
    void preferEncryptsWhenTheServerOffersTls() {
        assertThat(ssl(tls("127.0.0.1", Mode.PREFER, null))).isEqualTo("true");
    }

    @Test
    void preferFallsBackToPlaintextWhenTheServerHasNoTls() {
        assertThat(ssl(BackendTestSupport.backend(plainServer.host(), plainServer.port(), Mode.PREFER, null)))
                .isEqualTo("false");
    }

    @Test
    void requireEncryptsWithoutVerifyingTheCertificate() {
        // The unrelated CA does not matter: require checks nothing, like libpq without a root certificate.
        assertThat(ssl(tls("127.0.0.2", Mode.REQUIRE, null))).isEqualTo("true");
    }

    @Test
    void requireFailsClearlyAgainstAServerWithoutTls() {
        BackendException failure = support.failure(
                BackendTestSupport.backend(plainServer.host(), plainServer.port(), Mode.REQUIRE, null), login());
        assertThat(failure.sqlState()).isEqualTo("08001");
        assertThat(failure.message()).contains("does not accept TLS connections").contains("require");
    }

    @Test
    void verifyCaAcceptsTheRightCaWhateverTheHostName() {
        assertThat(ssl(tls("127.0.0.1", Mode.VERIFY_CA, certificates.caCertificate()))).isEqualTo("true");
        assertThat(ssl(tls("127.0.0.2", Mode.VERIFY_CA, certificates.caCertificate()))).isEqualTo("true");
    }

    @Test
    void verifyCaRefusesAServerSignedByAnotherCa() {
        BackendException failure = support.failure(tls("127.0.0.1", Mode.VERIFY_CA,
                certificates.unrelatedCaCertificate()), login());
        assertThat(failure.sqlState()).isEqualTo("08001");
        assertThat(failure.message()).contains("TLS with backend pg").contains("verify-ca");
    }

    @Test
    void verifyFullAcceptsTheNamesInTheCertificate() {
        assertThat(ssl(tls("localhost", Mode.VERIFY_FULL, certificates.caCertificate()))).isEqualTo("true");
        assertThat(ssl(tls("127.0.0.1", Mode.VERIFY_FULL, certificates.caCertificate()))).isEqualTo("true");
    }

    @Test
    void verifyFullRefusesAnAddressTheCertificateDoesNotName() {
        BackendException failure = support.failure(tls("127.0.0.2", Mode.VERIFY_FULL,
                certificates.caCertificate()), login());
        assertThat(failure.sqlState()).isEqualTo("08001");
        assertThat(failure.message()).contains("verify-full").contains("127.0.0.2");
    }

    @Test
    void verifyFullRefusesAnotherCaEvenWithTheRightName() {
        BackendException failure = support.failure(tls("localhost", Mode.VERIFY_FULL,
                certificates.unrelatedCaCertificate()), login());
        assertThat(failure.sqlState()).isEqualTo("08001");
    }
}
