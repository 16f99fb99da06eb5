package io.pgwarden.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class AuthMethodsIT {

    private static TestCertificates certificates;
    private static EmbeddedPostgres pg;

    @BeforeAll
    static void start() {
        certificates = TestCertificates.create();
        pg = EmbeddedPostgres.everyAuthMethod(certificates).start();
    }

    @AfterAll
    static void stop() {
        try {
            pg.close();
        } finally {
            certificates.close();
        }
    }

    @ParameterizedTest
    @EnumSource(value = PresetRole.class, names = {"PASSWORD", "MD5", "SCRAM"})
    void passwordMethodAcceptsTheRightPassword(PresetRole role) throws SQLException {
        try (Connection connection = connect(role.user(), role.password(), plaintext())) {
            assertThat(currentUser(connection)).isEqualTo(role.user());
        }
    }

    @ParameterizedTest
    @EnumSource(value = PresetRole.class, names = {"PASSWORD", "MD5", "SCRAM", "TLS_ONLY"})
    void passwordMethodRefusesAWrongPassword(PresetRole role) {
        Properties props = role == PresetRole.TLS_ONLY ? verifiedTls() : plaintext();
        assertThatThrownBy(() -> connect(role.user(), role.password() + "x", props).close())
                .isInstanceOf(SQLException.class)
                .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("28P01"));
    }

    @Test
    void passwordsAreStoredAsTheRoleAsked() throws SQLException {
        try (Connection connection = pg.superuserConnection(); Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery("SELECT rolname, left(rolpassword, 6) FROM pg_authid "
                     + "WHERE rolname IN ('md5_user', 'scram_user') ORDER BY rolname")) {
            rs.next();
            assertThat(rs.getString(2)).startsWith("md5");
            rs.next();
            assertThat(rs.getString(2)).isEqualTo("SCRAM-");
        }
    }

    @Test
    void trustAcceptsWithoutPassword() throws SQLException {
        try (Connection connection = connect(PresetRole.TRUST.user(), null, plaintext())) {
            assertThat(currentUser(connection)).isEqualTo("trust_user");
        }
    }

    @Test
    void tlsOnlyRoleConnectsOverVerifiedTlsAndIsRefusedInPlaintext() throws SQLException {
        PresetRole role = PresetRole.TLS_ONLY;
        try (Connection connection = connect(role.user(), role.password(), verifiedTls());
             Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery("SELECT ssl, version FROM pg_stat_ssl WHERE pid = pg_backend_pid()")) {
            rs.next();
            assertThat(rs.getBoolean(1)).isTrue();
            assertThat(rs.getString(2)).startsWith("TLSv1.");
        }
        assertThatThrownBy(() -> connect(role.user(), role.password(), plaintext()).close())
                .isInstanceOf(SQLException.class)
                .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("28000"));
    }

    @Test
    void certUserConnectsWithAClientCertificateFromTheTestCa() throws SQLException {
        ClientCertificate certificate = certificates.client(PresetRole.CERT.user());
        try (Connection connection = connect(PresetRole.CERT.user(), null, withClientCertificate(certificate))) {
            assertThat(currentUser(connection)).isEqualTo("cert_user");
        }
    }

    @Test
    void certUserIsRefusedWithACertificateOfAnotherName() {
        ClientCertificate other = certificates.client("someone_else");
        assertThatThrownBy(() -> connect(PresetRole.CERT.user(), null, withClientCertificate(other)).close())
                .isInstanceOf(SQLException.class)
                .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("28000"));
    }

    @Test
    void certUserIsRefusedWithACertificateOfAnUnrelatedCa() {
        ClientCertificate foreign = certificates.untrustedClient(PresetRole.CERT.user());
        assertThatThrownBy(() -> connect(PresetRole.CERT.user(), null, withClientCertificate(foreign)).close())
                .isInstanceOf(SQLException.class);
    }

    @Test
    void clientThatTrustsOnlyTheUnrelatedCaRefusesTheServer() {
        Properties props = verifiedTls();
        props.setProperty("sslrootcert", certificates.unrelatedCaCertificate().toString());
        assertThatThrownBy(() -> connect(PresetRole.TLS_ONLY.user(), PresetRole.TLS_ONLY.password(), props).close())
                .isInstanceOf(SQLException.class)
                .hasMessageContaining("SSL");
    }

    private static Connection connect(String user, String password, Properties props) throws SQLException {
        props.setProperty("user", user);
        if (password != null) {
            props.setProperty("password", password);
        }
        props.setProperty("connectTimeout", "10");
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + pg.port() + "/postgres", props);
    }

    private static Properties plaintext() {
        Properties props = new Properties();
        props.setProperty("sslmode", "disable");
        return props;
    }

    private static Properties verifiedTls() {
        Properties props = new Properties();
        props.setProperty("sslmode", "verify-full");
        props.setProperty("sslrootcert", certificates.caCertificate().toString());
        return props;
    }

    private static Properties withClientCertificate(ClientCertificate certificate) {
        Properties props = verifiedTls();
        props.setProperty("sslcert", certificate.certificate().toString());
        props.setProperty("sslkey", certificate.keyDer().toString());
        return props;
    }

    private static String currentUser(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement(); ResultSet rs = statement.executeQuery("SELECT current_user")) {
            rs.next();
            return rs.getString(1);
        }
    }
}
