package io.pgwarden.it.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgwarden.scram.Md5Password;
import io.pgwarden.testkit.Closeables;
import io.pgwarden.testkit.EmbeddedPostgres;
import io.pgwarden.testkit.LeakCheckExtension;
import io.pgwarden.testkit.LogCapture;
import io.pgwarden.testkit.PasswordEncryption;
import io.pgwarden.testkit.ProxyFixture;
import io.pgwarden.testkit.RawMessage;
import io.pgwarden.testkit.RawPgClient;
import io.pgwarden.testkit.TestCertificates;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.postgresql.util.PSQLException;

/**
 * The md5 method (off unless {@code md5: true}; it follows the stored form of the secret) and the cleartext
 * {@code password} method (refused without TLS unless {@code allow_without_tls}), with pgjdbc and the raw client.
 */
@ExtendWith(LeakCheckExtension.class)
class Md5AndPasswordMethodsIT {

    /** Stored as md5 on the server, whose pg_hba asks md5 for it; the userlist holds that hash. */
    private static final String MD5_USER = "md5_user";
    /** Stored as SCRAM on the server; the userlist holds only its md5 hash, so the backend login cannot work. */
    private static final String HASH_ONLY_USER = "hash_only_user";
    /** A SCRAM verifier in the userlist: the md5 rule runs SCRAM for it. */
    private static final String SCRAM_USER = "scram_user";
    /** Rule {@code method: password}. */
    private static final String CLEARTEXT_USER = "cleartext_user";
    /** Rule {@code method: password, allow_without_tls: true}. */
    private static final String OPEN_USER = "open_user";
    private static final String PASSWORD = "methods-Pw-5t7yU";
    private static final String WRONG_PASSWORD = "wrong-Pw-8e3rT";

    private static LogCapture log;
    private static TestCertificates certificates;
    private static EmbeddedPostgres postgres;
    private static ScramPluginFixture plugin;
    private static ProxyFixture md5On;
    private static ProxyFixture md5Off;

    @BeforeAll
    static void start() {
        log = LogCapture.start();
        certificates = TestCertificates.create();
        postgres = EmbeddedPostgres.builder()
                .hba("host all " + MD5_USER + " 127.0.0.1/32 md5")
                .hba("host all all 127.0.0.1/32 scram-sha-256")
                .role(MD5_USER, PASSWORD, PasswordEncryption.MD5)
                .role(HASH_ONLY_USER, PASSWORD, PasswordEncryption.SCRAM_SHA_256)
                .role(SCRAM_USER, PASSWORD, PasswordEncryption.SCRAM_SHA_256)
                .role(CLEARTEXT_USER, PASSWORD, PasswordEncryption.SCRAM_SHA_256)
                .role(OPEN_USER, PASSWORD, PasswordEncryption.SCRAM_SHA_256)
                .start();
        plugin = ScramPluginFixture.create();
        Map<String, String> userlist = new LinkedHashMap<>();
        userlist.put(MD5_USER, ScramPluginFixture.storedSecret(postgres, MD5_USER));
        userlist.put(HASH_ONLY_USER, Md5Password.hash(HASH_ONLY_USER, PASSWORD));
        for (String user : new String[] {SCRAM_USER, CLEARTEXT_USER, OPEN_USER}) {
            userlist.put(user, ScramPluginFixture.storedSecret(postgres, user));
        }
        String userlistPath = plugin.writeUserlist("userlist.txt", userlist).toString();
        String config = """
                listen:
                  host: 127.0.0.1
                  port: 0
                  tls: { mode: allow, cert: "%s", key: "%s" }
                backends:
                  pg: { host: 127.0.0.1, port: %d, tls: { mode: disable } }
                auth:
                  rules:
                    - { user: cleartext_user, method: password }
                    - { user: open_user, method: password, allow_without_tls: true }
                    - { method: md5 }
                plugins:
                  - type: scram
                    %s
                    md5: %s
                    userlist: "%s"
                """;
        md5On = plugin.startProxy(config.formatted(certificates.serverCertificate(), certificates.serverKey(), postgres.port(),
                ScramPluginFixture.QUICK_FAILURES, "true", userlistPath));
        md5Off = plugin.startProxy(config.formatted(certificates.serverCertificate(), certificates.serverKey(), postgres.port(),
                ScramPluginFixture.QUICK_FAILURES, "false", userlistPath));
    }

    @AfterAll
    static void stop() throws Exception {
        Closeables.closeAll(plugin, postgres, certificates, log);
    }

    @Test
    void userlistEntryOfTheMd5UserIsTheServersMd5Hash() {
        assertThat(ScramPluginFixture.storedSecret(postgres, MD5_USER)).startsWith("md5").hasSize(Md5Password.HASH_LENGTH);
    }

    @Test
    void md5DisabledRefusesAUserWhoseOnlySecretIsAnMd5HashWith28P01() throws Exception {
        PSQLException refused = Logins.refusal(Logins.url(md5Off, "postgres", MD5_USER, PASSWORD, ""));
        assertThat(refused.getSQLState()).isEqualTo("28P01");
        assertThat(refused.getServerErrorMessage().getMessage()).isEqualTo("password authentication failed for user \"md5_user\"");

        // Never an md5 challenge: a SCRAM exchange that cannot succeed, like an unknown user's.
        RawScramLogin.Result raw = RawScramLogin.attempt(md5Off.host(), md5Off.port(), "postgres", MD5_USER, PASSWORD);
        assertThat(raw.shape()).containsExactly("R10", "R11", "E");
        assertThat(raw.error().sqlState()).isEqualTo("28P01");
    }

    @Test
    void md5EnabledAsksForMd5AndLogsInWithTheStoredHashTowardsTheServer() throws Exception {
        RawScramLogin.Result raw = RawScramLogin.attempt(md5On.host(), md5On.port(), "postgres", MD5_USER, PASSWORD);
        assertThat(raw.shape()).as("an AuthenticationMD5Password request").containsExactly("R" + RawScramLogin.AUTH_MD5);

        // The server asks md5 for this role (pg_hba md5, md5 stored): only the hash from the userlist answers it.
        assertThat(Logins.sessionUser(Logins.url(md5On, "postgres", MD5_USER, PASSWORD, ""))).isEqualTo(MD5_USER);
    }

    @Test
    void md5EnabledRefusesAWrongPasswordWith28P01() {
        PSQLException refused = Logins.refusal(Logins.url(md5On, "postgres", MD5_USER, WRONG_PASSWORD, ""));
        assertThat(refused.getSQLState()).isEqualTo("28P01");
        assertThat(refused.getServerErrorMessage().getMessage()).isEqualTo("password authentication failed for user \"md5_user\"");
    }

    @Test
    void md5LoginToAServerThatWantsScramFailsWith28000AndAHintNamingTheFix() {
        PSQLException refused = Logins.refusal(Logins.url(md5On, "postgres", HASH_ONLY_USER, PASSWORD, ""));
        assertThat(refused.getSQLState()).isEqualTo("28000");
        assertThat(refused.getServerErrorMessage().getSeverity()).isEqualTo("FATAL");
        assertThat(refused.getServerErrorMessage().getMessage()).contains("md5 hash");
        assertThat(refused.getServerErrorMessage().getHint()).as("a hint naming the fix").contains("SCRAM verifier");
    }

    @Test
    void md5MethodRunsScramForAUserWithAScramVerifierWhetherMd5IsOnOrOff() throws Exception {
        for (ProxyFixture proxy : new ProxyFixture[] {md5On, md5Off}) {
            RawScramLogin.Result raw = RawScramLogin.attempt(proxy.host(), proxy.port(), "postgres", SCRAM_USER, PASSWORD);
            assertThat(raw.mechanisms()).containsExactly("SCRAM-SHA-256");
            assertThat(raw.loggedIn()).as("messages: %s", raw.received()).isTrue();
            assertThat(Logins.sessionUser(Logins.url(proxy, "postgres", SCRAM_USER, PASSWORD, ""))).isEqualTo(SCRAM_USER);
        }
    }

    @Test
    void md5EnabledGivesAnUnknownUserTheSameErrorAsAWrongPassword() {
        PSQLException wrong = Logins.refusal(Logins.url(md5On, "postgres", MD5_USER, WRONG_PASSWORD, ""));
        PSQLException unknown = Logins.refusal(Logins.url(md5On, "postgres", "nobody_here", WRONG_PASSWORD, ""));
        assertThat(unknown.getSQLState()).isEqualTo(wrong.getSQLState());
        assertThat(unknown.getServerErrorMessage().getMessage().replace("nobody_here", MD5_USER))
                .isEqualTo(wrong.getServerErrorMessage().getMessage());
    }

    @Test
    void passwordMethodRefusesCleartextWithoutTlsBeforeThePasswordIsSent() throws Exception {
        RawScramLogin.Result raw = RawScramLogin.attempt(md5On.host(), md5On.port(), "postgres", CLEARTEXT_USER, PASSWORD);
        assertThat(raw.shape()).as("no AuthenticationCleartextPassword, only the refusal").containsExactly("E");
        assertThat(raw.error().sqlState()).isEqualTo("28000");

        PSQLException refused = Logins.refusal(Logins.url(md5On, "postgres", CLEARTEXT_USER, PASSWORD, ""));
        assertThat(refused.getSQLState()).isEqualTo("28000");
        assertThat(refused.getServerErrorMessage().getMessage() + " " + refused.getServerErrorMessage().getHint())
                .containsIgnoringCase("SSL");
    }

    @Test
    void passwordMethodOverTlsAsksForTheCleartextPasswordAndLogsIn() throws Exception {
        RawScramLogin.Result raw = RawScramLogin.attempt(md5On.host(), md5On.port(), "postgres", CLEARTEXT_USER, PASSWORD,
                certificates.clientContext(), "n,,");
        assertThat(raw.shape()).containsExactly("R" + RawScramLogin.AUTH_CLEARTEXT);

        assertThat(Logins.sessionUser(Logins.url(md5On, "postgres", CLEARTEXT_USER, PASSWORD, "sslmode=require")))
                .isEqualTo(CLEARTEXT_USER);
    }

    @Test
    void passwordMethodOverTlsRefusesAWrongPasswordWith28P01() {
        PSQLException wrong = Logins.refusal(Logins.url(md5On, "postgres", CLEARTEXT_USER, WRONG_PASSWORD, "sslmode=require"));
        assertThat(wrong.getSQLState()).isEqualTo("28P01");
        assertThat(wrong.getServerErrorMessage().getMessage()).isEqualTo("password authentication failed for user \"cleartext_user\"");
    }

    @Test
    void passwordMethodWithAllowWithoutTlsLogsInWithoutTls() throws Exception {
        assertThat(Logins.sessionUser(Logins.url(md5On, "postgres", OPEN_USER, PASSWORD, ""))).isEqualTo(OPEN_USER);
        PSQLException wrong = Logins.refusal(Logins.url(md5On, "postgres", OPEN_USER, WRONG_PASSWORD, ""));
        assertThat(wrong.getSQLState()).isEqualTo("28P01");
    }

    @Test
    void aPasswordMessageAbovePostgresqlsLimitIsRefusedAtItsLengthWordAndTheProxyKeepsServing() throws Exception {
        try (RawPgClient client = RawPgClient.connect("127.0.0.1", md5On.port())) {
            client.sendStartup(Map.of("user", OPEN_USER, "database", "postgres"));
            RawMessage request = client.readMessage();
            assertThat(request.type()).isEqualTo('R');
            assertThat(request.int32At(0)).as("AuthenticationCleartextPassword").isEqualTo(3);
            // One byte above PostgreSQL's 65535 (the length word counts itself), and only the start of the body: the
            // limit must hold before the body is buffered, whatever limits.max_message_size (64 MiB here) says.
            client.send(ByteBuffer.allocate(5 + 64).put((byte) 'p').putInt(65_536).array());

            RawMessage error = client.readMessage();
            assertThat(error.type()).as("got %s", error).isEqualTo('E');
            assertThat(error.severity()).isEqualTo("FATAL");
            assertThat(error.sqlState()).isEqualTo("08P01");
            assertThat(error.message()).contains("invalid message length 65536");
            assertThat(client.isClosedByPeer(Duration.ofSeconds(5))).isTrue();
        }
        assertThat(Logins.sessionUser(Logins.url(md5On, "postgres", OPEN_USER, PASSWORD, ""))).isEqualTo(OPEN_USER);
    }

    @Test
    void aPasswordMessageOfExactlyPostgresqlsLimitIsRead() throws Exception {
        try (RawPgClient client = RawPgClient.connect("127.0.0.1", md5On.port())) {
            client.sendStartup(Map.of("user", OPEN_USER, "database", "postgres"));
            assertThat(client.readMessage().int32At(0)).isEqualTo(3);
            // 65535 bytes with the length word: a 65530-byte password and its terminating zero.
            client.sendPassword("x".repeat(65_530));

            RawMessage error = client.readMessage();
            assertThat(error.type()).as("got %s", error).isEqualTo('E');
            assertThat(error.sqlState()).isEqualTo("28P01");
        }
    }

    @Test
    void logsNeverContainACleartextPasswordOrAnMd5Hash() throws Exception {
        Logins.sessionUser(Logins.url(md5On, "postgres", MD5_USER, PASSWORD, ""));
        Logins.refusal(Logins.url(md5On, "postgres", MD5_USER, WRONG_PASSWORD, ""));
        Logins.sessionUser(Logins.url(md5On, "postgres", CLEARTEXT_USER, PASSWORD, "sslmode=require"));
        Logins.refusal(Logins.url(md5On, "postgres", CLEARTEXT_USER, WRONG_PASSWORD, "sslmode=require"));
        Logins.sessionUser(Logins.url(md5On, "postgres", OPEN_USER, PASSWORD, ""));
        Logins.refusal(Logins.url(md5On, "postgres", HASH_ONLY_USER, PASSWORD, ""));

        List<String> lines = log.lines();
        assertThat(lines).as("the capture sees the proxy's log").anySatisfy(line -> assertThat(line).contains(CLEARTEXT_USER));
        String md5Hash = ScramPluginFixture.storedSecret(postgres, MD5_USER);
        for (String secret : List.of(PASSWORD, WRONG_PASSWORD, md5Hash, md5Hash.substring(3),
                Md5Password.hash(HASH_ONLY_USER, PASSWORD).substring(3))) {
            assertThat(lines).noneSatisfy(line -> assertThat(line).contains(secret));
        }
    }
}
