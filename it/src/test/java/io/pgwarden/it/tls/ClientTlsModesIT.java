package io.pgwarden.it.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgwarden.testkit.ProxyFixture;
import io.pgwarden.testkit.EmbeddedPostgres;
import io.pgwarden.testkit.LeakCheckExtension;
import io.pgwarden.testkit.RawMessage;
import io.pgwarden.testkit.RawPgClient;
import io.pgwarden.testkit.TestCertificates;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code listen.tls.mode} as clients see it: disable offers no TLS, allow offers both, require refuses a
 * plaintext startup. TLS is proven on the client-to-proxy leg by pgjdbc's {@code sslmode=verify-full} against
 * the test CA (the backend leg is plaintext in these tests, so the proxy's certificate is the only one there is).
 */
@ExtendWith(LeakCheckExtension.class)
class ClientTlsModesIT {

    private static TestCertificates certificates;
    private static EmbeddedPostgres postgres;
    private static ProxyFixture disabled;
    private static ProxyFixture allowed;
    private static ProxyFixture required;

    private static TlsModeProxies proxies;

    @BeforeAll
    static void start() throws Exception {
        proxies = TlsModeProxies.start();
        certificates = proxies.certificates();
        postgres = proxies.postgres();
        disabled = proxies.disabled();
        allowed = proxies.allowed();
        required = proxies.required();
    }

    @AfterAll
    static void stop() throws Exception {
        if (proxies != null) {
            proxies.close();
        }
    }

    @Test
    void disabledModeRefusesAClientThatRequiresTls() {
        assertThatThrownBy(() -> DriverManager.getConnection(url(disabled, "sslmode=require")).close())
                .isInstanceOf(SQLException.class)
                .hasMessageContaining("SSL");
    }

    @Test
    void disabledModeAnswersSslRequestWithN() throws Exception {
        try (RawPgClient client = RawPgClient.connect("127.0.0.1", disabled.port())) {
            assertThat(client.sendSslRequest()).isEqualTo('N');
            client.sendStartup(Map.of("user", "postgres", "database", "postgres"));
            assertThat(client.readUntilReadyForQuery()).extracting(RawMessage::type).doesNotContain('E');
        }
    }

    @Test
    void disabledModeServesPlaintextClients() throws Exception {
        assertThat(currentUser(url(disabled, "sslmode=disable"))).isEqualTo("postgres");
        assertThat(currentUser(url(disabled, "sslmode=prefer"))).isEqualTo("postgres");
    }

    @Test
    void allowModeServesPlaintextClients() throws Exception {
        assertThat(currentUser(url(allowed, "sslmode=disable"))).isEqualTo("postgres");
    }

    @Test
    void allowModeServesTlsClientsThatVerifyTheProxyCertificateAndHostName() throws Exception {
        assertThat(currentUser(verifyFull(allowed, certificates.caCertificate()))).isEqualTo("postgres");
    }

    @Test
    void verifyFullAgainstAnUnrelatedCaFailsSoTheCertificateIsReallyChecked() {
        assertThatThrownBy(() -> DriverManager.getConnection(verifyFull(allowed, certificates.unrelatedCaCertificate())).close())
                .isInstanceOf(SQLException.class);
    }

    @Test
    void allowModeUpgradesARawClientToTlsAfterSslRequest() throws Exception {
        try (RawPgClient client = RawPgClient.connect("localhost", allowed.port())) {
            assertThat(client.sendSslRequest()).isEqualTo('S');
            client.startTls(certificates);
            assertThat(client.tlsSession().getProtocol()).startsWith("TLSv1.");
            client.sendStartup(Map.of("user", "postgres", "database", "postgres"));
            List<RawMessage> messages = client.readUntilReadyForQuery();
            assertThat(messages).extracting(RawMessage::type).doesNotContain('E');
            assertThat(messages.get(0).type()).isEqualTo('R');
            assertThat(messages.get(0).int32At(0)).isZero();
        }
    }

    @Test
    void clientThatAnswersSWithPlaintextInsteadOfAHandshakeIsClosed() throws Exception {
        for (ProxyFixture proxy : List.of(allowed, required)) {
            try (RawPgClient client = RawPgClient.connect("127.0.0.1", proxy.port())) {
                assertThat(client.sendSslRequest()).isEqualTo('S');
                client.sendStartup(Map.of("user", "postgres", "database", "postgres"));

                assertThat(client.isClosedByPeer(Duration.ofSeconds(10))).isTrue();
            }
        }
        assertThat(currentUser(verifyFull(required, certificates.caCertificate()))).isEqualTo("postgres");
    }

    @Test
    void secondSslRequestInsideTlsIsRefusedWithFatal08P01() throws Exception {
        try (RawPgClient client = RawPgClient.connect("localhost", allowed.port())) {
            assertThat(client.sendSslRequest()).isEqualTo('S');
            client.startTls(certificates);
            char answer = client.sendSslRequest();

            assertThat(answer).isEqualTo('E');
            // The rest of the ErrorResponse, then the end of the stream (a hang fails on the read timeout).
            int remaining = 0;
            while (client.readByte() >= 0) {
                remaining++;
            }
            assertThat(remaining).isBetween(4, 1000);
        }
    }

    @Test
    void requireModeRefusesAPlaintextStartupWithFatal28000() throws Exception {
        try (RawPgClient client = RawPgClient.connect("127.0.0.1", required.port())) {
            client.sendStartup(Map.of("user", "postgres", "database", "postgres"));
            RawMessage error = client.readMessage();

            assertThat(error.type()).isEqualTo('E');
            assertThat(error.severity()).isEqualTo("FATAL");
            assertThat(error.sqlState()).isEqualTo("28000");
            assertThat(client.isClosedByPeer(Duration.ofSeconds(5))).isTrue();
        }
    }

    @Test
    void requireModeRefusesPgjdbcWithoutTls() {
        assertThatThrownBy(() -> DriverManager.getConnection(url(required, "sslmode=disable")).close())
                .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("28000"));
    }

    @Test
    void requireModeServesTlsClients() throws Exception {
        assertThat(currentUser(verifyFull(required, certificates.caCertificate()))).isEqualTo("postgres");
        assertThat(currentUser(url(required, "sslmode=require"))).isEqualTo("postgres");
    }

    private static String currentUser(String url) throws SQLException {
        try (Connection connection = DriverManager.getConnection(url); Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery("SELECT current_user")) {
            assertThat(rs.next()).isTrue();
            return rs.getString(1);
        }
    }

    private static String verifyFull(ProxyFixture proxy, Path rootCertificate) {
        return "jdbc:postgresql://localhost:" + proxy.port() + "/postgres?user=postgres&sslmode=verify-full"
                + "&sslrootcert=" + rootCertificate;
    }

    private static String url(ProxyFixture proxy, String options) {
        return "jdbc:postgresql://127.0.0.1:" + proxy.port() + "/postgres?user=postgres&" + options;
    }
}
