package io.pgwarden.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import javax.net.ssl.SSLException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The relay against a real PostgreSQL 16+ with TLS, which checks SCRAM channel binding itself: plain TLS logins
 * pass the relay unnoticed, a login with {@code channelBinding=require} is refused, because the client binds to the
 * relay's certificate.
 */
class TlsTerminatingRelayIT {

    private static TestCertificates certificates;
    private static EmbeddedPostgres postgres;
    private static TlsTerminatingRelay relay;

    @BeforeAll
    static void start() {
        certificates = TestCertificates.create();
        postgres = EmbeddedPostgres.builder().tls(certificates)
                .hba(PresetRole.SCRAM.hbaLine().replace("host ", "hostssl "))
                .role(PresetRole.SCRAM.user(), PresetRole.SCRAM.password(), PasswordEncryption.SCRAM_SHA_256)
                .start();
        relay = TlsTerminatingRelay.start(postgres.host(), postgres.port());
    }

    @AfterAll
    static void stop() {
        try {
            if (relay != null) {
                relay.close();
            }
        } finally {
            try {
                if (postgres != null) {
                    postgres.close();
                }
            } finally {
                if (certificates != null) {
                    certificates.close();
                }
            }
        }
    }

    private static String url(int port, String options) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/postgres?user=" + PresetRole.SCRAM.user()
                + "&password=" + PresetRole.SCRAM.password() + "&connectTimeout=15&" + options;
    }

    @Test
    void relaysATlsLoginWithoutChannelBindingAndShowsItsOwnCertificate() throws Exception {
        try (Connection connection = DriverManager.getConnection(url(relay.port(), "sslmode=require&channelBinding=disable"));
             Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getBoolean(1)).as("the relay's second leg uses TLS").isTrue();
        }
        assertThat(relay.relayedConnections()).isPositive();
        try (RawPgClient client = RawPgClient.connect(relay.host(), relay.port(), Duration.ofSeconds(10))) {
            assertThat(client.sendSslRequest()).isEqualTo('S');
            // The relay's certificate is not signed by the test CA that signed the server's.
            assertThatThrownBy(() -> client.startTls(certificates)).isInstanceOf(SSLException.class);
        }
        assertThat(relay.certificate().getIssuerX500Principal())
                .isNotEqualTo(certificates.caX509().getSubjectX500Principal());
    }

    @Test
    void channelBindingWorksDirectlyButNotThroughTheRelay() throws Exception {
        try (Connection direct = DriverManager.getConnection(url(postgres.port(), "sslmode=require&channelBinding=require"))) {
            assertThat(direct.isValid(5)).isTrue();
        }
        assertThatThrownBy(() -> DriverManager.getConnection(url(relay.port(), "sslmode=require&channelBinding=require")).close())
                .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getMessage()).containsIgnoringCase("channel binding"));
    }

    @Test
    void closingTheRelayEndsItsConnections() throws Exception {
        TlsTerminatingRelay own = TlsTerminatingRelay.start(postgres.host(), postgres.port());
        Connection connection = DriverManager.getConnection(url(own.port(), "sslmode=require&channelBinding=disable"));
        try {
            own.close();
            assertThatThrownBy(() -> {
                try (Statement statement = connection.createStatement()) {
                    statement.execute("SELECT 1");
                }
            }).isInstanceOf(SQLException.class);
        } finally {
            connection.close();
        }
    }
}
