package io.pgwarden.it.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgwarden.testkit.Closeables;
import io.pgwarden.testkit.EmbeddedPostgres;
import io.pgwarden.testkit.LeakCheckExtension;
import io.pgwarden.testkit.PasswordEncryption;
import io.pgwarden.testkit.ProxyFixture;
import io.pgwarden.testkit.Psql;
import io.pgwarden.testkit.TestCertificates;
import io.pgwarden.testkit.TlsTerminatingRelay;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.postgresql.util.PSQLException;

/**
 * SCRAM-SHA-256-PLUS with tls-server-end-point: offered to TLS clients, enforced per rule, and a TLS-terminating
 * relay between client and proxy caught because the client binds to the relay's certificate.
 */
@ExtendWith(LeakCheckExtension.class)
class ScramChannelBindingIT {

    /** Rule {@code channel_binding: require}. */
    private static final String CAROL = "carol";
    /** Rule without the option: {@code prefer}. */
    private static final String DAVE = "dave";
    /** Rule {@code channel_binding: disable}. */
    private static final String ERIN = "erin";
    private static final String PASSWORD = "binding-Pw-2k9sX";

    private static TestCertificates certificates;
    private static EmbeddedPostgres postgres;
    private static ScramPluginFixture plugin;
    private static ProxyFixture proxy;
    private static TlsTerminatingRelay relay;

    @BeforeAll
    static void start() {
        certificates = TestCertificates.create();
        postgres = EmbeddedPostgres.builder()
                .hba("host all all 127.0.0.1/32 scram-sha-256")
                .role(CAROL, PASSWORD, PasswordEncryption.SCRAM_SHA_256)
                .role(DAVE, PASSWORD, PasswordEncryption.SCRAM_SHA_256)
                .role(ERIN, PASSWORD, PasswordEncryption.SCRAM_SHA_256)
                .start();
        plugin = ScramPluginFixture.create();
        Map<String, String> userlist = new LinkedHashMap<>();
        for (String user : new String[] {CAROL, DAVE, ERIN}) {
            userlist.put(user, ScramPluginFixture.storedSecret(postgres, user));
        }
        proxy = plugin.startProxy("""
                listen:
                  host: 127.0.0.1
                  port: 0
                  tls: { mode: allow, cert: "%s", key: "%s" }
                backends:
                  pg: { host: 127.0.0.1, port: %d, tls: { mode: disable } }
                auth:
                  rules:
                    - { user: carol, method: scram-sha-256, channel_binding: require }
                    - { user: erin, method: scram-sha-256, channel_binding: disable }
                    - { method: scram-sha-256 }
                plugins:
                  - type: scram
                    %s
                    userlist: "%s"
                """.formatted(certificates.serverCertificate(), certificates.serverKey(), postgres.port(),
                ScramPluginFixture.QUICK_FAILURES, plugin.writeUserlist("userlist.txt", userlist)));
        relay = TlsTerminatingRelay.start(proxy.host(), proxy.port());
    }

    @AfterAll
    static void stop() throws Exception {
        Closeables.closeAll(relay, plugin, postgres, certificates);
    }

    @Test
    void pgjdbcWithChannelBindingRequireOverTlsLogsInAsItself() throws Exception {
        String url = Logins.url(proxy, "postgres", CAROL, PASSWORD, "sslmode=require&channelBinding=require");
        try (Connection connection = DriverManager.getConnection(url);
             Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery("SELECT session_user")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo(CAROL);
        }
        assertThat(Logins.sessionUser(Logins.url(proxy, "postgres", DAVE, PASSWORD, "sslmode=require&channelBinding=require")))
                .isEqualTo(DAVE);
    }

    @Test
    void tlsTerminatingRelayIsRefusedWhenTheClientBindsTheChannel() {
        long relayedBefore = relay.relayedConnections();
        for (String user : new String[] {CAROL, DAVE}) {
            String url = Logins.url(relay.host(), relay.port(), "postgres", user, PASSWORD, "sslmode=require&channelBinding=require");
            // pgjdbc binds to the certificate it sees, the relay's; the proxy compares with its own and refuses.
            PSQLException refused = Logins.refusal(url);
            assertThat(refused.getSQLState()).as("%s", refused).isEqualTo("08P01");
            assertThat(refused.getMessage()).contains("SCRAM channel binding check failed");
        }
        assertThat(relay.relayedConnections()).as("both TLS legs were up: the binding, not the relay, failed")
                .isGreaterThanOrEqualTo(relayedBefore + 2);
    }

    @Test
    void relayIsInvisibleToAClientThatDoesNotBindTheChannel() throws Exception {
        // The control for the test above: the same relay passes a login that does not use channel binding.
        assertThat(Logins.sessionUser(Logins.url(relay.host(), relay.port(), "postgres", DAVE, PASSWORD,
                "sslmode=require&channelBinding=disable"))).isEqualTo(DAVE);
    }

    @Test
    void channelBindingRequiredRefusesAClientWithoutTlsWith28000BeforeAskingAnything() throws Exception {
        PSQLException refused = Logins.refusal(Logins.url(proxy, "postgres", CAROL, PASSWORD, ""));
        assertThat(refused.getSQLState()).isEqualTo("28000");
        assertThat(refused.getServerErrorMessage().getMessage()).contains("channel binding");

        RawScramLogin.Result raw = RawScramLogin.attempt(proxy.host(), proxy.port(), "postgres", CAROL, PASSWORD);
        assertThat(raw.shape()).containsExactly("E");
        assertThat(raw.error().sqlState()).isEqualTo("28000");
    }

    @Test
    void offeredMechanismsFollowTlsAndTheRule() throws Exception {
        assertThat(raw(DAVE, true).mechanisms()).containsExactly("SCRAM-SHA-256-PLUS", "SCRAM-SHA-256");
        assertThat(raw(DAVE, false).mechanisms()).containsExactly("SCRAM-SHA-256");
        assertThat(raw(CAROL, true).mechanisms()).containsExactly("SCRAM-SHA-256-PLUS");
        assertThat(raw(ERIN, true).mechanisms()).containsExactly("SCRAM-SHA-256");
    }

    @Test
    void clientClaimingTheServerCannotBindWhilePlusWasOfferedIsRefusedAsADowngrade() throws Exception {
        RawScramLogin.Result result = RawScramLogin.attempt(proxy.host(), proxy.port(), "postgres", DAVE, PASSWORD,
                certificates.clientContext(), "y,,");
        assertThat(result.proofAccepted()).isFalse();
        assertThat(result.error()).as("messages: %s", result.received()).isNotNull();
        assertThat(result.error().sqlState()).isEqualTo("28000");
        assertThat(result.error().message()).contains("channel binding");
    }

    @Test
    void clientSayingItCannotBindIsAcceptedWithoutTls() throws Exception {
        // "y,," is honest when PLUS was not offered (no TLS): the login goes on.
        RawScramLogin.Result result = RawScramLogin.attempt(proxy.host(), proxy.port(), "postgres", DAVE, PASSWORD, null, "y,,");
        assertThat(result.loggedIn()).as("messages: %s", result.received()).isTrue();
    }

    @Test
    void disabledChannelBindingLogsInOverTlsWithPlainScram() throws Exception {
        assertThat(Logins.sessionUser(Logins.url(proxy, "postgres", ERIN, PASSWORD, "sslmode=require&channelBinding=prefer")))
                .isEqualTo(ERIN);
    }

    @Test
    void psqlWithChannelBindingRequireLogsInDirectlyButNotThroughTheRelay() throws Exception {
        Assumptions.assumeTrue(Psql.installed(), "psql is not installed");
        Map<String, String> binding = Map.of("PGSSLMODE", "require", "PGCHANNELBINDING", "require");
        Psql.Result in = Psql.login(plugin.directory(), proxy.host(), proxy.port(), CAROL, "postgres", PASSWORD,
                "SELECT session_user", binding);
        assertThat(in.exitCode()).as("stderr: %s", in.stderr()).isZero();
        assertThat(in.stdout().strip()).isEqualTo(CAROL);

        Psql.Result relayed = Psql.login(plugin.directory(), relay.host(), relay.port(), CAROL, "postgres", PASSWORD,
                "SELECT session_user", binding);
        assertThat(relayed.exitCode()).isNotZero();
        assertThat(relayed.stderr()).containsIgnoringCase("channel binding");
    }

    private static RawScramLogin.Result raw(String user, boolean tls) throws Exception {
        return RawScramLogin.attempt(proxy.host(), proxy.port(), "postgres", user, PASSWORD,
                tls ? certificates.clientContext() : null, "n,,");
    }
}
