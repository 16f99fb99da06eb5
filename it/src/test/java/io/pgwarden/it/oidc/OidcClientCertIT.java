package io.pgwarden.it.oidc;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgwarden.core.pool.PoolStats;
import io.pgwarden.testkit.Closeables;
import io.pgwarden.testkit.EmbeddedPostgres;
import io.pgwarden.testkit.LeakCheckExtension;
import io.pgwarden.testkit.LogCapture;
import io.pgwarden.testkit.ProxyFixture;
import io.pgwarden.testkit.TestCertificates;
import java.nio.file.Files;
import java.sql.Connection;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The client-cert strategy end to end: PostgreSQL trusts a database client CA ({@code ssl_ca_file}) and accepts
 * only certificates ({@code hostssl all all 127.0.0.1/32 cert}); its roles have no passwords at all. pgwarden holds
 * that CA (key by {@code ${file:}} reference), mints a short-lived certificate whose CN is the person's role, and
 * presents it over verify-full TLS. Each person is session_user in PostgreSQL, each has their own pool, and a
 * certificate close to its end is replaced by a new one.
 */
@ExtendWith(LeakCheckExtension.class)
class OidcClientCertIT {

    private static final String SSL_QUERY =
            "SELECT client_dn || ' ' || issuer_dn || ' ' || client_serial FROM pg_stat_ssl WHERE pid = pg_backend_pid()";
    /** Minted certificates live 90 s and are replaced when less than 85 s are left: any login 5 s later renews. */
    private static final int VALIDITY_SECONDS = 90;
    private static final int RENEW_BEFORE_SECONDS = 85;

    private static LogCapture log;
    private static TestCertificates certificates;
    private static OidcPluginFixture plugin;
    private static DatabaseClientCa clientCa;
    private static EmbeddedPostgres postgres;
    private static OidcFixture provider;
    private static ProxyFixture proxy;

    @BeforeAll
    static void start() {
        log = LogCapture.start();
        certificates = TestCertificates.create();
        plugin = OidcPluginFixture.create();
        clientCa = DatabaseClientCa.create(plugin.directory(), "db-client-ca");
        postgres = EmbeddedPostgres.builder()
                .tls(certificates.serverCertificate(), certificates.serverKey(), clientCa.certificate())
                .hba("hostssl all all 127.0.0.1/32 cert")
                .role("alice")
                .role("bob")
                .role("carol")
                .start();
        provider = OidcFixture.start("staff");
        proxy = plugin.startProxy("""
                listen:
                  host: 127.0.0.1
                  port: 0
                  tls: { mode: allow, cert: "%s", key: "%s" }
                backends:
                  pg: { host: 127.0.0.1, port: %d, tls: { mode: verify-full, ca: "%s" } }
                auth:
                  rules:
                    - { method: oidc }
                plugins:
                  - type: oidc
                    issuers:
                      - issuer: "%s"
                        audience: [pgwarden]
                    strategy: client-cert
                    client_cert:
                      ca_cert: "%s"
                      ca_key: "${file:%s}"
                      validity: %ds
                      renew_before: %ds
                """.formatted(certificates.serverCertificate(), certificates.serverKey(), postgres.port(),
                certificates.caCertificate(), provider.issuer(), clientCa.certificate(), clientCa.key(),
                VALIDITY_SECONDS, RENEW_BEFORE_SECONDS));
    }

    @AfterEach
    void logsNeverShowATokenOrTheCaKey() throws Exception {
        log.assertNoneOf(provider.issuedTokens());
        String caKeyBody = Files.readString(clientCa.key()).split("\n")[1];
        log.assertNoneOf(List.of(caKeyBody));
    }

    @AfterAll
    static void stop() throws Exception {
        Closeables.closeAll(plugin, provider, postgres, certificates, log);
    }

    @Test
    void eachPersonIsSessionUserInPostgresWithTheirOwnPool() throws Exception {
        try (Connection alice = TokenLogins.connect(proxy, "postgres", "alice", provider.token("alice").issue());
             Connection bob = TokenLogins.connect(proxy, "postgres", "bob", provider.token("bob").issue())) {
            assertThat(TokenLogins.query(alice, "SELECT session_user")).isEqualTo("alice");
            assertThat(TokenLogins.query(bob, "SELECT session_user")).isEqualTo("bob");
            assertThat(TokenLogins.query(alice, "SELECT current_setting('pgwarden.user')")).isEqualTo("alice");
            assertThat(TokenLogins.query(alice, SSL_QUERY))
                    .startsWith("/CN=alice /CN=pgwarden database client CA ");
            assertThat(TokenLogins.query(bob, SSL_QUERY))
                    .startsWith("/CN=bob /CN=pgwarden database client CA ");
            List<PoolStats> pools = proxy.server().pools();
            assertThat(pools).filteredOn(pool -> pool.user().equals("alice")).hasSize(1);
            assertThat(pools).filteredOn(pool -> pool.user().equals("bob")).hasSize(1);
            assertThat(pools).filteredOn(pool -> pool.user().equals("alice")).allSatisfy(pool -> assertThat(pool.active()).isEqualTo(1));
        }
    }

    @Test
    void aCertificateIsReusedUntilCloseToItsEndThenRenewed() throws Exception {
        String first;
        try (Connection one = TokenLogins.connect(proxy, "postgres", "carol", provider.token("carol").issue());
             Connection two = TokenLogins.connect(proxy, "postgres", "carol", provider.token("carol").issue())) {
            // Two server connections at once, both with the certificate minted for the first login.
            first = serial(one);
            assertThat(serial(two)).isEqualTo(first);
            assertThat(TokenLogins.query(one, "SELECT count(*) FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid) "
                    + "WHERE a.usename = 'carol'")).isEqualTo("2");
        }
        // Past validity - renew_before (5 s): the cached certificate has less than renew_before left.
        Thread.sleep((VALIDITY_SECONDS - RENEW_BEFORE_SECONDS + 1) * 1000L);
        try (Connection renewed = TokenLogins.connect(proxy, "postgres", "carol", provider.token("carol").issue())) {
            assertThat(TokenLogins.query(renewed, "SELECT session_user")).isEqualTo("carol");
            assertThat(serial(renewed)).as("serial of the renewed certificate").isNotEqualTo(first);
        }
    }

    private static String serial(Connection connection) throws Exception {
        return TokenLogins.query(connection, "SELECT client_serial FROM pg_stat_ssl WHERE pid = pg_backend_pid()");
    }
}
