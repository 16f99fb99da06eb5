package io.pgwarden.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The raw client against a real PostgreSQL. */
class RawPgClientIT {

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

    @Test
    void trustStartupReachesReadyForQueryAndAnswersAQuery() throws Exception {
        try (RawPgClient client = RawPgClient.connect(pg.host(), pg.port())) {
            client.sendStartup(Map.of("user", PresetRole.TRUST.user(), "database", "postgres"));
            List<RawMessage> startup = client.readUntilReadyForQuery();

            assertThat(startup.get(0).type()).isEqualTo('R');
            assertThat(startup.get(0).int32At(0)).isZero();
            assertThat(startup).extracting(RawMessage::type).contains('S', 'K');
            assertThat(startup.get(startup.size() - 1).transactionStatus()).isEqualTo('I');

            client.sendQuery("SELECT 1");
            assertThat(client.readUntilReadyForQuery()).extracting(RawMessage::type)
                    .containsExactly('T', 'D', 'C', 'Z');
            client.sendTerminate();
            assertThat(client.isClosedByPeer(Duration.ofSeconds(5))).isTrue();
        }
    }

    @Test
    void unsupportedMajorProtocolVersionIsAnsweredWithAFatalError() throws Exception {
        try (RawPgClient client = RawPgClient.connect(pg.host(), pg.port())) {
            client.sendStartup(0x00040000, Map.of("user", "postgres"));
            RawMessage error = client.readMessage();

            assertThat(error.type()).isEqualTo('E');
            assertThat(error.severity()).isEqualTo("FATAL");
            assertThat(error.sqlState()).isEqualTo("0A000");
            assertThat(client.isClosedByPeer(Duration.ofSeconds(5))).isTrue();
        }
    }

    @Test
    void protocolVersionOneIsAnsweredInTheOldUnframedErrorFormat() throws Exception {
        try (RawPgClient client = RawPgClient.connect(pg.host(), pg.port())) {
            client.sendStartup(0x00010000, Map.of("user", "postgres"));

            // Before protocol 3 an error was 'E' and a C string with no length; PostgreSQL still answers so.
            assertThat(client.readByte()).isEqualTo('E');
            StringBuilder text = new StringBuilder();
            for (int next = client.readByte(); next > 0; next = client.readByte()) {
                text.append((char) next);
            }
            assertThat(text.toString()).contains("unsupported frontend protocol 1.0");
        }
    }

    @Test
    void startupWithoutUserIsAProtocolViolation() throws Exception {
        try (RawPgClient client = RawPgClient.connect(pg.host(), pg.port())) {
            client.sendStartup(Map.of("database", "postgres"));
            RawMessage error = client.readMessage();

            assertThat(error.sqlState()).isEqualTo("28000");
            assertThat(error.message()).contains("no PostgreSQL user name specified");
        }
    }

    @Test
    void oddLengthStartupPacketIsRejected() throws Exception {
        try (RawPgClient client = RawPgClient.connect(pg.host(), pg.port())) {
            client.send(ByteBuffer.allocate(8).putInt(8).putInt(0x00030000).array());
            // A v3 packet needs its parameter list's terminator; PostgreSQL closes or errors, but never hangs.
            boolean closed = client.isClosedByPeer(Duration.ofSeconds(5));
            if (!closed) {
                RawMessage error = client.readMessage();
                assertThat(error.type()).isEqualTo('E');
                assertThat(error.sqlState()).isEqualTo("08P01");
            }
        }
    }

    @Test
    void tlsUpgradeThenPasswordAuthenticationOverTheEncryptedSocket() throws Exception {
        try (RawPgClient client = RawPgClient.connect(pg.host(), pg.port())) {
            assertThat(client.sendSslRequest()).isEqualTo('S');
            client.startTls(certificates);
            assertThat(client.tlsSession().getProtocol()).startsWith("TLSv1.");

            client.sendStartup(Map.of("user", PresetRole.PASSWORD.user(), "database", "postgres"));
            RawMessage request = client.readMessage();
            assertThat(request.type()).isEqualTo('R');
            assertThat(request.int32At(0)).isEqualTo(3);
            client.sendPassword(PresetRole.PASSWORD.password() + "-wrong");

            RawMessage error = client.readMessage();
            assertThat(error.sqlState()).isEqualTo("28P01");
        }
    }

    @Test
    void directTlsWithAlpnReachesReadyForQuery() throws Exception {
        assumeTrue(majorVersion() >= 17, "direct TLS arrived in PostgreSQL 17");
        try (RawPgClient client = RawPgClient.connectDirectTls(pg.host(), pg.port(), certificates.clientContext())) {
            assertThat(client.applicationProtocol()).isEqualTo(RawPgClient.ALPN_POSTGRESQL);

            client.sendStartup(Map.of("user", PresetRole.TRUST.user(), "database", "postgres"));
            assertThat(client.readUntilReadyForQuery()).last()
                    .satisfies(message -> assertThat(message.transactionStatus()).isEqualTo('I'));
        }
    }

    @Test
    void directTlsWithoutAlpnIsRefused() throws Exception {
        assumeTrue(majorVersion() >= 17, "direct TLS arrived in PostgreSQL 17");
        RawPgClient client;
        try {
            client = RawPgClient.connectDirectTls(pg.host(), pg.port(), certificates.clientContext(), List.of());
        } catch (IOException refusedInHandshake) {
            return;
        }
        // With TLS 1.3 the client may finish its handshake before the server checks ALPN and hangs up.
        try (client) {
            client.sendStartup(Map.of("user", PresetRole.TRUST.user(), "database", "postgres"));
            assertThat(client.isClosedByPeer(Duration.ofSeconds(5))).isTrue();
        }
    }

    private static int majorVersion() {
        return Integer.parseInt(pg.version().split("[.\\s]")[0]);
    }

    @Test
    void garbageTypedMessageAfterStartupIsRefusedWithProtocolViolation() throws Exception {
        try (RawPgClient client = RawPgClient.connect(pg.host(), pg.port())) {
            client.sendStartup(Map.of("user", PresetRole.TRUST.user(), "database", "postgres"));
            client.readUntilReadyForQuery();
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            body.writeBytes(new byte[] {1, 2, 3});
            client.sendMessage('!', body.toByteArray());

            RawMessage error = client.readMessage();
            assertThat(error.type()).isEqualTo('E');
            assertThat(error.sqlState()).isEqualTo("08P01");
        }
    }
}
