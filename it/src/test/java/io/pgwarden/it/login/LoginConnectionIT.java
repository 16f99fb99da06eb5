package io.pgwarden.it.login;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.nimbusds.jose.util.JSONObjectUtils;
import io.pgwarden.it.keycloak.KeycloakServer;
import io.pgwarden.testkit.Closeables;
import io.pgwarden.testkit.EmbeddedPostgres;
import io.pgwarden.testkit.LeakCheckExtension;
import io.pgwarden.testkit.LogCapture;
import io.pgwarden.testkit.PasswordEncryption;
import io.pgwarden.testkit.ProxyFixture;
import io.pgwarden.testkit.Psql;
import io.pgwarden.testkit.TestCertificates;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * From {@code pgwarden login} to a database session: a person signs in with the device flow at a real Keycloak, and
 * the token {@code pgwarden token} prints logs them in through a real pgwarden with the real auth-oidc plugin jar, over
 * TLS, to a real PostgreSQL, with pgjdbc; and {@code pgwarden psql} does the same with the psql on the PATH.
 */
@ExtendWith(LeakCheckExtension.class)
class LoginConnectionIT {

    private static final String PASSWORD = "Conn-Pw-" + UUID.randomUUID();
    private static final String SERVICE = "svc_login";
    private static final String SERVICE_PASSWORD = "svc-Login-9vQ2";

    private static LogCapture log;
    private static KeycloakServer keycloak;
    private static TestCertificates certificates;
    private static EmbeddedPostgres postgres;
    private static LoginPluginFixture plugin;
    private static ProxyFixture proxy;

    private final List<String> secrets = new ArrayList<>(List.of(PASSWORD, SERVICE_PASSWORD));
    private String user;

    @TempDir
    Path config;

    @BeforeAll
    static void start() {
        log = LogCapture.start();
        keycloak = KeycloakServer.shared();
        certificates = TestCertificates.create();
        postgres = EmbeddedPostgres.builder()
                .hba("host all all 127.0.0.1/32 scram-sha-256")
                .role(SERVICE, SERVICE_PASSWORD, PasswordEncryption.SCRAM_SHA_256)
                .start();
        plugin = LoginPluginFixture.create();
        proxy = plugin.startProxy("""
                listen:
                  host: 127.0.0.1
                  port: 0
                  tls: { mode: allow, cert: "%s", key: "%s" }
                backends:
                  pg: { host: 127.0.0.1, port: %d, tls: { mode: disable } }
                auth:
                  rules:
                    - { method: oidc, strategy: service-account }
                plugins:
                  - type: oidc
                    issuers:
                      - issuer: "%s"
                        audience: [%s]
                    strategy: service-account
                    service_accounts:
                      - { default: true, user: %s, password: "%s" }
                """.formatted(certificates.serverCertificate(), certificates.serverKey(), postgres.port(),
                keycloak.issuer(), keycloak.audience(), SERVICE,
                plugin.secretReference("svc_login.password", SERVICE_PASSWORD)));
    }

    @AfterAll
    static void stop() throws Exception {
        Closeables.closeAll(plugin, postgres, certificates, log);
    }

    @BeforeEach
    void signIn() throws Exception {
        user = "conn_" + Long.toString(System.nanoTime() % 1_000_000, 36);
        keycloak.createUser(user, PASSWORD, user + "@example.com", Set.of("analysts"));
        try (CliRun login = CliRun.start(args("login", "--issuer", keycloak.issuer().toString(), "--client-id",
                keycloak.cliClientId(), "--device", "--host", proxy.host(), "--port", String.valueOf(proxy.port()),
                "--dbname", "postgres", "--user", user, "--sslmode", "require"))) {
            URI verification = login.awaitUrlAfter("To sign in, open ", Duration.ofSeconds(90));
            keycloak.browser().approveDevice(verification, user, PASSWORD);
            assertThat(login.exitCode(Duration.ofSeconds(90))).as(login.err()).isZero();
        }
        var cached = JSONObjectUtils.parse(Files.readString(config.resolve("tokens/default.json")));
        secrets.add((String) cached.get("access_token"));
        secrets.add((String) cached.get("refresh_token"));
    }

    @AfterEach
    void logsNeverShowATokenOrPassword() {
        log.assertNoneOf(secrets);
    }

    @Test
    void theTokenOfPgwardenTokenLogsInThroughTheProxyWithJdbc() throws Exception {
        CliRun token = CliRun.run(args("token"));
        assertThat(token.exitCode(Duration.ZERO)).as(token.err()).isZero();
        Properties properties = new Properties();
        properties.setProperty("user", user);
        properties.setProperty("password", token.out().trim());
        properties.setProperty("sslmode", "require");
        properties.setProperty("connectTimeout", "20");
        try (Connection connection = DriverManager.getConnection("jdbc:postgresql://" + proxy.host() + ":" + proxy.port()
                + "/postgres", properties);
             Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery("SELECT current_setting('pgwarden.user') || '|' || session_user")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo(user + "|" + SERVICE);
        }
    }

    @Test
    void pgwardenPsqlConnectsAsThePersonWithTheProfilesSettings() throws Exception {
        assumeTrue(Psql.installed(), "psql is not on the PATH: the pgwarden psql test is skipped (install the PostgreSQL client to run it)");
        Path output = config.resolve("psql-output.txt");
        CliRun psql = CliRun.run(args("psql", "-X", "-tA", "-o", output.toString(), "-c",
                "SELECT current_setting('pgwarden.user') || '|' || current_setting('application_name')"));
        assertThat(psql.exitCode(Duration.ZERO)).as(psql.err()).isZero();
        assertThat(Files.readString(output).trim()).isEqualTo(user + "|pgwarden:" + user);

        CliRun failing = CliRun.run(args("psql", "-X", "-d", "no_such_database", "-c", "SELECT 1"));
        assertThat(failing.exitCode(Duration.ZERO)).as("psql's own exit code when it cannot connect").isEqualTo(2);
    }

    /** {@code pgwarden COMMAND --config-dir DIR ARGS...}. */
    private List<String> args(String command, String... args) {
        List<String> all = new ArrayList<>(List.of(command, "--config-dir", config.toString()));
        all.addAll(Arrays.asList(args));
        return all;
    }
}
