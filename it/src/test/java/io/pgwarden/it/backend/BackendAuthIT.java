package io.pgwarden.it.backend;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.pgwarden.core.backend.AuthRequest;
import io.pgwarden.core.backend.BackendAuthResponder;
import io.pgwarden.core.backend.BackendException;
import io.pgwarden.core.backend.CredentialResponder;
import io.pgwarden.core.backend.ServerConnection;
import io.pgwarden.core.config.BackendConfig;
import io.pgwarden.core.config.BackendTlsConfig.Mode;
import io.pgwarden.core.protocol.frontend.SaslInitialResponse;
import io.pgwarden.scram.Md5Password;
import io.pgwarden.spi.BackendLogin;
import io.pgwarden.spi.Credential;
import io.pgwarden.testkit.ClientCertificate;
import io.pgwarden.testkit.EmbeddedPostgres;
import io.pgwarden.testkit.LeakCheckExtension;
import io.pgwarden.testkit.PasswordEncryption;
import io.pgwarden.testkit.PresetRole;
import io.pgwarden.testkit.TestCertificates;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletionStage;
import javax.crypto.Mac;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Every auth method PostgreSQL offers a proxy, answered by {@link CredentialResponder} against a real server. */
@ExtendWith(LeakCheckExtension.class)
class BackendAuthIT {

    /** pg_hba says md5, but the password is stored as SCRAM: PostgreSQL then asks for SCRAM. */
    private static final String MD5_LINE_SCRAM_STORED = "md5_line_scram_stored";

    private static TestCertificates certificates;
    private static EmbeddedPostgres pg;
    private static BackendTestSupport support;

    @BeforeAll
    static void start() {
        certificates = TestCertificates.create();
        pg = EmbeddedPostgres.everyAuthMethod(certificates)
                .hba("host all " + MD5_LINE_SCRAM_STORED + " 127.0.0.1/32 md5")
                .role(MD5_LINE_SCRAM_STORED, "both-ways", PasswordEncryption.SCRAM_SHA_256)
                .start();
        support = new BackendTestSupport();
    }

    @AfterAll
    static void stop() {
        try {
            support.close();
            pg.close();
        } finally {
            certificates.close();
        }
    }

    private static BackendConfig plaintext() {
        return BackendTestSupport.backend(pg.host(), pg.port(), Mode.DISABLE, null);
    }

    private static BackendConfig tls(Mode mode) {
        return BackendTestSupport.backend(mode == Mode.VERIFY_FULL ? "localhost" : pg.host(), pg.port(), mode,
                mode == Mode.VERIFY_CA || mode == Mode.VERIFY_FULL ? certificates.caCertificate() : null);
    }

    private static BackendLogin login(PresetRole role) {
        return BackendTestSupport.login(role.user(),
                role.password() == null ? Credential.none() : Credential.password(role.password()));
    }

    @Test
    void trustCollectsParameterStatusInOrderAndBackendKeyData() {
        ServerConnection connection = support.connect(plaintext(), login(PresetRole.TRUST));
        assertThat(connection.parameters()).containsKeys("server_version", "server_encoding", "client_encoding",
                "DateStyle", "TimeZone", "integer_datetimes", "standard_conforming_strings");
        assertThat(connection.parameters()).containsEntry("application_name", "backend-it")
                .containsEntry("session_authorization", "trust_user");
        assertThat(connection.channel().config().isAutoRead()).isFalse();
        assertThat(connection.encrypted()).isFalse();
        assertThat(connection.keyData()).isNotNull();
        int processId = connection.keyData().processId();
        assertThat(BackendTestSupport.queryAndClose(connection, "SELECT pg_backend_pid()"))
                .isEqualTo(Integer.toString(processId));
    }

    @Test
    void parametersKeepTheOrderTheServerSentThem() {
        ServerConnection connection = support.connect(plaintext(), login(PresetRole.TRUST));
        List<String> names = new ArrayList<>(connection.parameters().keySet());
        connection.close();
        // PostgreSQL reports its GUC_REPORT settings in one fixed order; a second connection sees the same.
        ServerConnection second = support.connect(plaintext(), login(PresetRole.TRUST));
        assertThat(new ArrayList<>(second.parameters().keySet())).isEqualTo(names);
        assertThat(names).isNotEqualTo(names.stream().sorted().toList());
        second.close();
    }

    @Test
    void cleartextPasswordLogsIn() {
        assertThat(BackendTestSupport.queryAndClose(support.connect(plaintext(), login(PresetRole.PASSWORD)),
                "SELECT current_user")).isEqualTo("password_user");
    }

    @Test
    void md5PasswordLogsIn() {
        assertThat(BackendTestSupport.queryAndClose(support.connect(plaintext(), login(PresetRole.MD5)),
                "SELECT current_user")).isEqualTo("md5_user");
    }

    @Test
    void scramWithoutTlsUsesPlainScram() {
        MechanismRecorder recorder = new MechanismRecorder(new CredentialResponder(login(PresetRole.SCRAM)));
        ServerConnection connection = support.connect(plaintext(), login(PresetRole.SCRAM), recorder);
        assertThat(recorder.mechanisms).containsExactly("SCRAM-SHA-256");
        assertThat(BackendTestSupport.queryAndClose(connection, "SELECT current_user")).isEqualTo("scram_user");
    }

    @Test
    void scramOverTlsBindsTheChannelOnAHostsslLine() {
        MechanismRecorder recorder = new MechanismRecorder(new CredentialResponder(login(PresetRole.TLS_ONLY)));
        ServerConnection connection = support.connect(tls(Mode.REQUIRE), login(PresetRole.TLS_ONLY), recorder);
        assertThat(recorder.mechanisms).containsExactly("SCRAM-SHA-256-PLUS");
        assertThat(connection.encrypted()).isTrue();
        assertThat(BackendTestSupport.queryAndClose(connection,
                "SELECT ssl::text || ' ' || current_user FROM pg_stat_ssl WHERE pid = pg_backend_pid()"))
                .isEqualTo("true tls_user");
    }

    @Test
    void serverRefusesScramPlusWithBindingDataOfAnotherCertificate() {
        BackendLogin login = login(PresetRole.TLS_ONLY);
        CredentialResponder real = new CredentialResponder(login);
        BackendAuthResponder tampering = (request, allocator) -> {
            if (request instanceof AuthRequest.Sasl sasl) {
                byte[] wrong = sasl.tlsServerEndPoint();
                wrong[0] ^= 1;
                return real.answer(new AuthRequest.Sasl(sasl.mechanisms(), wrong), allocator);
            }
            return real.answer(request, allocator);
        };
        BackendException failure = support.failure(tls(Mode.REQUIRE), login, tampering);
        assertThat(failure.serverError()).isPresent();
        assertThat(failure.message()).containsIgnoringCase("channel binding");
    }

    @Test
    void scramKeysLogInWithoutThePassword() throws Exception {
        Credential keys = keysFromVerifier("scram_user", PresetRole.SCRAM.password());
        BackendLogin login = BackendTestSupport.login("scram_user", keys);
        assertThat(BackendTestSupport.queryAndClose(support.connect(plaintext(), login), "SELECT current_user"))
                .isEqualTo("scram_user");
        BackendLogin plusLogin = BackendTestSupport.login("tls_user", keysFromVerifier("tls_user",
                PresetRole.TLS_ONLY.password()));
        MechanismRecorder recorder = new MechanismRecorder(new CredentialResponder(plusLogin));
        ServerConnection plus = support.connect(tls(Mode.REQUIRE), plusLogin, recorder);
        assertThat(recorder.mechanisms).containsExactly("SCRAM-SHA-256-PLUS");
        assertThat(BackendTestSupport.queryAndClose(plus, "SELECT current_user")).isEqualTo("tls_user");
    }

    @Test
    void wrongScramKeysAreRefusedWith28P01() throws Exception {
        Credential.ScramKeys keys = (Credential.ScramKeys) keysFromVerifier("scram_user", PresetRole.SCRAM.password());
        byte[] clientKey = keys.clientKey();
        clientKey[5] ^= 0x40;
        BackendException failure = support.failure(plaintext(),
                BackendTestSupport.login("scram_user", new Credential.ScramKeys(clientKey, keys.serverKey())));
        assertThat(failure.sqlState()).isEqualTo("28P01");
    }

    @Test
    void md5HashLogsInOnAnMd5LineWithoutThePassword() throws Exception {
        String hash = Md5Password.hash(PresetRole.MD5.user(), PresetRole.MD5.password());
        assertThat(storedPassword(PresetRole.MD5.user())).as("what the server stored").isEqualTo(hash);

        ServerConnection connection = support.connect(plaintext(),
                BackendTestSupport.login(PresetRole.MD5.user(), new Credential.Md5Hash(hash)));

        assertThat(BackendTestSupport.queryAndClose(connection, "SELECT current_user")).isEqualTo("md5_user");
    }

    @Test
    void wrongMd5HashIsTheServersOwn28P01() {
        BackendException failure = support.failure(plaintext(), BackendTestSupport.login(PresetRole.MD5.user(),
                new Credential.Md5Hash(Md5Password.hash(PresetRole.MD5.user(), PresetRole.MD5.password() + "x"))));
        assertThat(failure.sqlState()).isEqualTo("28P01");
        assertThat(failure.message()).contains("password authentication failed for user \"md5_user\"");
    }

    @Test
    void md5HashIsRefusedWithAHintWhenTheServerWantsScramOrCleartext() {
        for (PresetRole role : List.of(PresetRole.SCRAM, PresetRole.PASSWORD)) {
            BackendException failure = support.failure(plaintext(), BackendTestSupport.login(role.user(),
                    new Credential.Md5Hash(Md5Password.hash(role.user(), role.password()))));
            String method = role == PresetRole.SCRAM ? "SCRAM" : "cleartext";
            assertThat(failure.sqlState()).as(role.name()).isEqualTo("28000");
            assertThat(failure.message()).as(role.name()).isEqualTo("backend pg asks for " + method
                    + " authentication for user " + role.user() + ", but pgwarden knows only the md5 hash of that user's "
                    + "password, which answers md5 only");
            assertThat(failure.serverError()).as(role.name()).hasValueSatisfying(error -> {
                assertThat(error.severity()).isEqualTo("FATAL");
                assertThat(error.sqlState()).isEqualTo("28000");
                assertThat(error.hint()).startsWith("Store the user's SCRAM verifier (or the password)");
            });
        }
    }

    @Test
    void md5LineWithAScramStoredPasswordAsksForScramSoAnMd5HashIsRefused() {
        BackendException failure = support.failure(plaintext(), BackendTestSupport.login(MD5_LINE_SCRAM_STORED,
                new Credential.Md5Hash(Md5Password.hash(MD5_LINE_SCRAM_STORED, "both-ways"))));
        assertThat(failure.sqlState()).isEqualTo("28000");
        assertThat(failure.message()).startsWith("backend pg asks for SCRAM authentication");
        assertThat(failure.serverError().orElseThrow().hint()).contains("SCRAM verifier");
        // The password itself logs in: the line is fine, only the hash cannot answer SCRAM.
        assertThat(BackendTestSupport.queryAndClose(support.connect(plaintext(),
                BackendTestSupport.login(MD5_LINE_SCRAM_STORED, Credential.password("both-ways"))), "SELECT current_user"))
                .isEqualTo(MD5_LINE_SCRAM_STORED);
    }

    private static String storedPassword(String role) throws Exception {
        try (Connection connection = pg.superuserConnection();
             java.sql.PreparedStatement statement = connection.prepareStatement("SELECT rolpassword FROM pg_authid WHERE rolname = ?")) {
            statement.setString(1, role);
            try (ResultSet rs = statement.executeQuery()) {
                rs.next();
                return rs.getString(1);
            }
        }
    }

    @Test
    void clientCertificateLogsInOnACertLine() throws Exception {
        ClientCertificate certificate = certificates.client(PresetRole.CERT.user());
        BackendLogin login = BackendTestSupport.login(PresetRole.CERT.user(), new Credential.ClientCertificate(
                Files.readString(certificate.certificate()), Files.readString(certificate.key())));
        ServerConnection connection = support.connect(tls(Mode.VERIFY_FULL), login);
        assertThat(BackendTestSupport.queryAndClose(connection,
                "SELECT current_user || ' ' || client_dn FROM pg_stat_ssl WHERE pid = pg_backend_pid()"))
                .isEqualTo("cert_user /CN=cert_user");
    }

    @Test
    void certLineRefusesALoginWithoutCertificate() {
        BackendException failure = support.failure(tls(Mode.REQUIRE),
                BackendTestSupport.login(PresetRole.CERT.user(), Credential.none()));
        assertThat(failure.sqlState()).isEqualTo("28000");
        assertThat(failure.serverError()).isPresent();
    }

    @Test
    void wrongPasswordIsTheServersOwn28P01() {
        for (PresetRole role : List.of(PresetRole.PASSWORD, PresetRole.MD5, PresetRole.SCRAM)) {
            BackendException failure = support.failure(plaintext(),
                    BackendTestSupport.login(role.user(), Credential.password(role.password() + "x")));
            assertThat(failure.sqlState()).as(role.name()).isEqualTo("28P01");
            assertThat(failure.serverError()).as(role.name()).isPresent();
            assertThat(failure.message()).as(role.name()).contains("password authentication failed for user");
        }
    }

    @Test
    void loginWithoutPasswordFailsClearlyWhenTheServerAsksForOne() {
        BackendException failure = support.failure(plaintext(), BackendTestSupport.login("scram_user", Credential.none()));
        assertThat(failure.sqlState()).isEqualTo("08001");
        assertThat(failure.message()).contains("backend pg asks for a password for user scram_user but the login has none");
        assertThat(failure.serverError()).isEmpty();
    }

    @Test
    void unknownDatabaseIsTheServersError() {
        BackendLogin login = new BackendLogin("pg", "no_such_db", "trust_user", Credential.none(),
                java.util.Map.of(), List.of());
        BackendException failure = support.failure(plaintext(), login);
        assertThat(failure.sqlState()).isEqualTo("3D000");
    }

    /** ClientKey from the password and the server's salt and iterations; ServerKey from pg_authid. */
    private static Credential keysFromVerifier(String role, String password) throws Exception {
        String verifier;
        try (Connection connection = pg.superuserConnection(); Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery("SELECT rolpassword FROM pg_authid WHERE rolname = '" + role + "'")) {
            rs.next();
            verifier = rs.getString(1);
        }
        // SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>
        String[] parts = verifier.split("[$:]");
        int iterations = Integer.parseInt(parts[1]);
        byte[] salt = Base64.getDecoder().decode(parts[2]);
        byte[] storedKey = Base64.getDecoder().decode(parts[3]);
        byte[] serverKey = Base64.getDecoder().decode(parts[4]);
        byte[] salted = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256")
                .generateSecret(new PBEKeySpec(password.toCharArray(), salt, iterations, 256)).getEncoded();
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(salted, "HmacSHA256"));
        byte[] clientKey = mac.doFinal("Client Key".getBytes(StandardCharsets.US_ASCII));
        assertThat(MessageDigest.getInstance("SHA-256").digest(clientKey)).isEqualTo(storedKey);
        return new Credential.ScramKeys(clientKey, serverKey);
    }

    /** Records which SASL mechanism the responder chose, from the SASLInitialResponse it wrote. */
    private static final class MechanismRecorder implements BackendAuthResponder {
        final List<String> mechanisms = Collections.synchronizedList(new ArrayList<>());
        private final BackendAuthResponder delegate;

        MechanismRecorder(BackendAuthResponder delegate) {
            this.delegate = delegate;
        }

        @Override
        public CompletionStage<ByteBuf> answer(AuthRequest request, ByteBufAllocator allocator) {
            return delegate.answer(request, allocator).thenApply(message -> {
                if (request instanceof AuthRequest.Sasl) {
                    ByteBuf body = message.duplicate();
                    body.skipBytes(5);
                    mechanisms.add(SaslInitialResponse.decode(body).mechanism());
                }
                return message;
            });
        }
    }
}
