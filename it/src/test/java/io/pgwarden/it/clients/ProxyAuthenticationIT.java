package io.pgwarden.it.clients;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.pgwarden.testkit.EmbeddedPostgres;
import io.pgwarden.testkit.LeakCheckExtension;
import io.pgwarden.testkit.PasswordEncryption;
import io.pgwarden.testkit.PresetRole;
import io.pgwarden.testkit.TestCertificates;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.postgresql.util.PSQLException;

/**
 * Logins through the proxy against a server with one role per auth method: passthrough leaves the password to
 * PostgreSQL, trust logs in with the rule's configured credentials, and the proxy's own refusals carry SQLSTATEs.
 */
@ExtendWith(LeakCheckExtension.class)
class ProxyAuthenticationIT {

    /** Non-ASCII names and passwords: UTF-8 in the startup packet, SASLprep in SCRAM. */
    private static final String UNICODE_USER = "J\u00f6hn D\u0153";
    private static final String UNICODE_PASSWORD = "p\u00e4ssw\u00f6rd \u00bd";

    private static TestCertificates certificates;
    private static Path secrets;
    private static ProxiedPostgres pg;

    @BeforeAll
    static void start() throws Exception {
        certificates = TestCertificates.create();
        secrets = Files.createTempDirectory("pgwarden-clients-secrets");
        Path md5Password = Files.writeString(secrets.resolve("md5"), PresetRole.MD5.password() + "\n");
        Path scramPassword = Files.writeString(secrets.resolve("scram"), PresetRole.SCRAM.password() + "\n");
        Path wrongPassword = Files.writeString(secrets.resolve("wrong"), "not-the-password\n");
        Path unicodePassword = Files.writeString(secrets.resolve("unicode"), UNICODE_PASSWORD + "\n", StandardCharsets.UTF_8);
        String yaml = """
                backends:
                  pg: { host: 127.0.0.1, port: @PG_PORT@, tls: { mode: disable } }
                  pg_tls: { host: 127.0.0.1, port: @PG_PORT@, tls: { mode: require } }
                  dead: { host: 127.0.0.1, port: %d, connect_timeout: 3s, tls: { mode: disable } }
                auth:
                  rules:
                    - { database: via_md5_login, method: trust, login: { user: md5_user, password: "${file:%s}", database: postgres } }
                    - { database: via_scram_login, method: trust, login: { user: scram_user, password: "${file:%s}", database: postgres } }
                    - { database: via_wrong_login, method: trust, login: { user: scram_user, password: "${file:%s}", database: postgres } }
                    - { database: via_unicode_login, method: trust, login: { user: "%s", password: "${file:%s}", database: postgres } }
                    - { database: unreachable, method: trust, backend: dead, login: { user: postgres, database: postgres } }
                    - { database: postgres, user: tls_user, method: passthrough, backend: pg_tls }
                    - { database: postgres, method: passthrough }
                """.formatted(closedPort(), md5Password, scramPassword, wrongPassword, UNICODE_USER, unicodePassword);
        pg = ProxiedPostgres.start(EmbeddedPostgres.everyAuthMethod(certificates)
                .hba("host all \"" + UNICODE_USER + "\" 127.0.0.1/32 scram-sha-256")
                .role(UNICODE_USER, UNICODE_PASSWORD, PasswordEncryption.SCRAM_SHA_256), yaml);
    }

    @AfterAll
    static void stop() throws IOException {
        try {
            if (pg != null) {
                pg.close();
            }
        } finally {
            if (certificates != null) {
                certificates.close();
            }
            if (secrets != null) {
                try (Stream<Path> files = Files.walk(secrets)) {
                    for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                        Files.delete(file);
                    }
                }
            }
        }
    }

    /** A port nothing listens on: bound once to get a free number, then released. */
    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    @ParameterizedTest
    @EnumSource(value = PresetRole.class, names = {"PASSWORD", "MD5", "SCRAM"})
    void passthroughLetsTheClientInWithItsRightPassword(PresetRole role) throws Exception {
        try (Connection connection = DriverManager.getConnection(
                pg.proxyUrl("postgres", role.user(), "password=" + role.password()))) {
            assertThat(Rows.query(connection, "SELECT current_user, current_database()"))
                    .containsExactly(List.of(role.user(), "postgres"));
        }
    }

    @ParameterizedTest
    @EnumSource(value = PresetRole.class, names = {"PASSWORD", "MD5", "SCRAM"})
    void passthroughRefusesAWrongPasswordWithPostgresqlsOwnError(PresetRole role) {
        String options = "password=wrong-" + role.password();
        PSQLException direct = refusal(pg.directUrl("postgres", role.user(), options));
        PSQLException proxied = refusal(pg.proxyUrl("postgres", role.user(), options));
        assertThat(direct.getSQLState()).isEqualTo("28P01");
        assertThat(proxied.getSQLState()).isEqualTo("28P01");
        assertThat(proxied.getServerErrorMessage()).isNotNull();
        assertThat(proxied.getServerErrorMessage().getMessage())
                .isEqualTo("password authentication failed for user \"" + role.user() + "\"")
                .isEqualTo(direct.getServerErrorMessage().getMessage());
        assertThat(proxied.getServerErrorMessage().getSeverity()).isEqualTo("FATAL");
    }

    @Test
    void trustRuleLogsInAsTheConfiguredMd5UserWithThePasswordFromAFile() throws Exception {
        assertTrustLogin("via_md5_login", PresetRole.MD5.user());
    }

    @Test
    void trustRuleLogsInAsTheConfiguredScramUserWithThePasswordFromAFile() throws Exception {
        assertTrustLogin("via_scram_login", PresetRole.SCRAM.user());
    }

    private static void assertTrustLogin(String database, String backendUser) throws Exception {
        // No password from the client: the rule's login is the credential towards the server.
        try (Connection connection = DriverManager.getConnection(pg.proxyUrl(database, "app_client", ""))) {
            assertThat(Rows.query(connection, "SELECT current_user, current_database(), session_user"))
                    .containsExactly(List.of(backendUser, "postgres", backendUser));
        }
    }

    @Test
    void passthroughToARoleAllowedOnlyOverTlsUsesTlsTowardsTheServer() throws Exception {
        PresetRole role = PresetRole.TLS_ONLY;
        // The client talks plaintext to the proxy; the rule's backend requires TLS, which pg_hba demands for this role.
        try (Connection connection = DriverManager.getConnection(
                pg.proxyUrl("postgres", role.user(), "password=" + role.password()))) {
            assertThat(Rows.query(connection, "SELECT current_user, ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()"))
                    .containsExactly(List.of(role.user(), "t"));
        }
        PSQLException refused = refusal(pg.proxyUrl("postgres", role.user(), "password=wrong"));
        assertThat(refused.getSQLState()).isEqualTo("28P01");
    }

    @Test
    void trustLoginKeepsTheClientsApplicationName() throws Exception {
        try (Connection connection = DriverManager.getConnection(
                pg.proxyUrl("via_scram_login", "app_client", "ApplicationName=itclients-trust"))) {
            assertThat(Rows.scalar(connection, "SHOW application_name")).isEqualTo("itclients-trust");
        }
    }

    @Test
    void passthroughHandlesANonAsciiUserAndPassword() throws Exception {
        try (Connection connection = DriverManager.getConnection(pg.proxyUrl("postgres", UNICODE_USER,
                "password=" + URLEncoder.encode(UNICODE_PASSWORD, StandardCharsets.UTF_8)))) {
            assertThat(Rows.scalar(connection, "SELECT current_user")).isEqualTo(UNICODE_USER);
        }
    }

    @Test
    void trustLoginWithANonAsciiPasswordFromAFile() throws Exception {
        assertTrustLogin("via_unicode_login", UNICODE_USER);
    }

    @Test
    void trustRuleWithAWrongConfiguredPasswordDoesNotLetTheClientIn() {
        PSQLException refused = refusal(pg.proxyUrl("via_wrong_login", "app_client", ""));
        assertThat(refused.getSQLState()).startsWith("28");
    }

    @Test
    void unreachableBackendGives08001QuicklyAndOtherClientsKeepWorking() throws Exception {
        String working = pg.proxyUrl("postgres", PresetRole.TRUST.user(), "");
        try (Connection before = DriverManager.getConnection(working)) {
            long started = System.nanoTime();
            PSQLException refused = refusal(pg.proxyUrl("unreachable", "anyone", ""));
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
            assertThat(refused.getSQLState()).isEqualTo("08001");
            assertThat(refused.getServerErrorMessage()).as("an ErrorResponse, not a dropped connection").isNotNull();
            assertThat(Rows.scalar(before, "SELECT 'still working'")).isEqualTo("still working");
            try (Connection after = DriverManager.getConnection(working)) {
                assertThat(Rows.scalar(after, "SELECT current_user")).isEqualTo(PresetRole.TRUST.user());
            }
        }
    }

    @Test
    void clientThatMatchesNoRuleIsRefusedWith28000() {
        PSQLException refused = refusal(pg.proxyUrl("no_rule_for_this", PresetRole.TRUST.user(), ""));
        assertThat(refused.getSQLState()).isEqualTo("28000");
        assertThat(refused.getServerErrorMessage()).isNotNull();
        assertThat(refused.getServerErrorMessage().getSeverity()).isEqualTo("FATAL");
    }

    private static PSQLException refusal(String url) {
        Throwable thrown = catchThrowable(() -> {
            try (Connection connection = DriverManager.getConnection(url)) {
                throw new AssertionError("connected although it should be refused: " + url);
            }
        });
        assertThat(thrown).isInstanceOf(PSQLException.class);
        return (PSQLException) thrown;
    }
}
