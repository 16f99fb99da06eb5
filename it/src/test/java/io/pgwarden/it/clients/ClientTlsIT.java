package io.pgwarden.it.clients;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.pgwarden.testkit.EmbeddedPostgres;
import io.pgwarden.testkit.LeakCheckExtension;
import io.pgwarden.testkit.PasswordEncryption;
import io.pgwarden.testkit.Psql;
import io.pgwarden.testkit.TestCertificates;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.util.PSQLException;

/**
 * Real clients over TLS to a proxy with {@code listen.tls.mode: require}: pgjdbc and psql verify the proxy's
 * certificate, a SCRAM login is relayed inside the TLS session, and a plaintext client is refused.
 */
@ExtendWith(LeakCheckExtension.class)
class ClientTlsIT {

    private static final String USER = "tls_client";
    private static final String PASSWORD = "tls-client-secret";

    private static TestCertificates certificates;
    private static ProxiedPostgres pg;

    @TempDir
    Path work;

    @BeforeAll
    static void start() {
        certificates = TestCertificates.create();
        String yaml = """
                backends:
                  pg: { host: 127.0.0.1, port: @PG_PORT@, tls: { mode: disable } }
                auth:
                  rules:
                    - { tls: true, method: passthrough }
                """;
        EmbeddedPostgres.Builder server = EmbeddedPostgres.builder()
                .hba("host all " + USER + " 127.0.0.1/32 scram-sha-256")
                .role(USER, PASSWORD, PasswordEncryption.SCRAM_SHA_256);
        pg = ProxiedPostgres.start(server, tlsListen() + yaml);
    }

    private static String tlsListen() {
        return "listen: { host: 127.0.0.1, port: 0, tls: { mode: require, cert: \"" + certificates.serverCertificate()
                + "\", key: \"" + certificates.serverKey() + "\" } }\n";
    }

    @AfterAll
    static void stop() {
        try {
            if (pg != null) {
                pg.close();
            }
        } finally {
            if (certificates != null) {
                certificates.close();
            }
        }
    }

    private static String verifyFull(Path rootCertificate) {
        return "password=" + PASSWORD + "&sslmode=verify-full&sslrootcert=" + rootCertificate;
    }

    @Test
    void pgjdbcWithVerifyFullLogsInWithScramThroughTheTlsSession() throws Exception {
        String url = pg.proxyUrl("postgres", USER, "").replace("&sslmode=disable", "") + "&"
                + verifyFull(certificates.caCertificate());
        try (Connection connection = DriverManager.getConnection(url)) {
            assertThat(Rows.query(connection, "SELECT current_user, 6 * 7")).containsExactly(List.of(USER, "42"));
        }
    }

    @Test
    void pgjdbcRefusesAProxyCertificateFromAnotherCa() {
        String url = pg.proxyUrl("postgres", USER, "").replace("&sslmode=disable", "") + "&"
                + verifyFull(certificates.unrelatedCaCertificate());
        Throwable thrown = catchThrowable(() -> DriverManager.getConnection(url).close());
        assertThat(thrown).isInstanceOf(PSQLException.class);
        assertThat(((PSQLException) thrown).getSQLState()).isEqualTo("08006");
    }

    @Test
    void plaintextClientIsRefusedWith28000() {
        Throwable thrown = catchThrowable(() -> DriverManager.getConnection(
                pg.proxyUrl("postgres", USER, "password=" + PASSWORD)).close());
        assertThat(thrown).isInstanceOf(PSQLException.class);
        PSQLException refused = (PSQLException) thrown;
        assertThat(refused.getSQLState()).isEqualTo("28000");
        assertThat(refused.getServerErrorMessage()).isNotNull();
        assertThat(refused.getServerErrorMessage().getSeverity()).isEqualTo("FATAL");
    }

    @Test
    void psqlWithVerifyFullReportsAnSslConnection() throws Exception {
        Assumptions.assumeTrue(Psql.installed(), "psql not installed: test skipped");
        String conninfo = "host=127.0.0.1 port=" + pg.proxy().port() + " dbname=postgres user=" + USER
                + " sslmode=verify-full sslrootcert=" + certificates.caCertificate();
        Psql.Result run = Psql.run(work, List.of("-v", "ON_ERROR_STOP=1", "-A", "-t", "-c", "\\conninfo", "-c",
                "SELECT current_user", conninfo), Map.of("PGPASSWORD", PASSWORD));
        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.stdout()).contains("SSL connection (protocol: TLSv1.").contains(USER);
    }
}
