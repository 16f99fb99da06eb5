package io.pgwarden.it.robust;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgwarden.testkit.ProxyFixture;
import io.pgwarden.testkit.EmbeddedPostgres;
import io.pgwarden.testkit.LeakCheckExtension;
import io.pgwarden.testkit.RawMessage;
import io.pgwarden.testkit.RawPgClient;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Malformed input from a stranger, before and after authentication: each case ends in a FATAL ErrorResponse
 * with a real SQLSTATE or a close, never a hang, and leaves the proxy serving others. The proxy admits only
 * {@value #MAX_CLIENTS} clients at once, so a connection slot that a refused client does not give back soon
 * makes the next tests' clients refused.
 */
@ExtendWith(LeakCheckExtension.class)
class MalformedInputIT {

    private static final int MAX_CLIENTS = 10;
    private static final Duration CLOSE_WITHIN = Duration.ofSeconds(5);
    private static final Map<String, String> STARTUP = Map.of("user", "postgres", "database", "postgres");

    private static EmbeddedPostgres postgres;
    private static ProxyFixture proxy;

    @BeforeAll
    static void start() throws Exception {
        postgres = EmbeddedPostgres.start();
        proxy = ProxyConfigs.start(ProxyConfigs.yaml(postgres.port(), "{ mode: disable }",
                "limits: { max_client_connections: " + MAX_CLIENTS + " }"));
    }

    @AfterAll
    static void stop() {
        if (proxy != null) {
            proxy.close();
        }
        if (postgres != null) {
            postgres.close();
        }
    }

    @AfterEach
    void proxyStillServesAWellBehavedClient() throws Exception {
        try (RawPgClient client = connect()) {
            client.sendStartup(STARTUP);
            assertThat(client.readUntilReadyForQuery()).extracting(RawMessage::type).doesNotContain('E');
            client.sendQuery("SELECT 1");
            assertThat(client.readUntilReadyForQuery()).extracting(RawMessage::type).containsExactly('T', 'D', 'C', 'Z');
        }
    }

    @Test
    void truncatedStartupPacketFollowedByCloseIsDroppedAndItsSlotReturned() throws Exception {
        for (int i = 0; i < MAX_CLIENTS * 3; i++) {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", proxy.port()), 5000);
                socket.setSoTimeout(Math.toIntExact(CLOSE_WITHIN.toMillis()));
                socket.getOutputStream().write(ByteBuffer.allocate(14).putInt(100).putInt(RawPgClient.PROTOCOL_3_0)
                        .put("user\0p".getBytes(java.nio.charset.StandardCharsets.US_ASCII)).array());
                socket.shutdownOutput();
                assertThat(socket.getInputStream().read()).as("connection %d", i).isEqualTo(-1);
            }
        }
    }

    @Test
    void truncatedStartupPacketWithoutCloseDoesNotBlockOtherClients() throws Exception {
        try (RawPgClient stalled = connect()) {
            stalled.send(ByteBuffer.allocate(6).putInt(100).putShort((short) 3).array());
            proxyStillServesAWellBehavedClient();
            assertThat(stalled.isClosedByPeer(Duration.ofMillis(200))).isFalse();
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {10_001, 1 << 20, Integer.MAX_VALUE, 7, 4, 0, -1, Integer.MIN_VALUE})
    void startupLengthOutOfRangeIsRefusedWithFatal08P01(int length) throws Exception {
        try (RawPgClient client = connect()) {
            client.send(ByteBuffer.allocate(64).putInt(length).putInt(RawPgClient.PROTOCOL_3_0).array());
            assertFatal(client, "08P01");
        }
    }

    @Test
    void startupPacketOfExactlyTheSizeLimitIsAccepted() throws Exception {
        try (RawPgClient client = connect()) {
            byte[] fixed = "user\0postgres\0database\0postgres\0application_name\0".getBytes(StandardCharsets.US_ASCII);
            int padding = 10_000 - 4 - 4 - fixed.length - 2;
            ByteBuffer packet = ByteBuffer.allocate(10_000).putInt(10_000).putInt(RawPgClient.PROTOCOL_3_0).put(fixed);
            packet.put("a".repeat(padding).getBytes(StandardCharsets.US_ASCII)).put((byte) 0).put((byte) 0);
            client.send(packet.array());

            assertThat(client.readUntilReadyForQuery()).extracting(RawMessage::type).doesNotContain('E');
        }
    }

    @Test
    void startupPacketWithoutItsFinalTerminatorIsRefusedWithFatal08P01() throws Exception {
        try (RawPgClient client = connect()) {
            byte[] parameters = "user\0postgres\0database\0postgres".getBytes(StandardCharsets.US_ASCII);
            client.send(ByteBuffer.allocate(8 + parameters.length).putInt(8 + parameters.length)
                    .putInt(RawPgClient.PROTOCOL_3_0).put(parameters).array());
            assertFatal(client, "08P01");
        }
    }

    @Test
    void startupWithoutAUserIsRefusedWithFatal28000() throws Exception {
        try (RawPgClient client = connect()) {
            client.sendStartup(Map.of("database", "postgres"));
            assertFatal(client, "28000");
        }
    }

    @Test
    void protocolVersionTwoIsRefusedWithFatal0A000() throws Exception {
        try (RawPgClient client = connect()) {
            client.sendStartup(2 << 16, STARTUP);
            assertFatal(client, "0A000");
        }
    }

    @Test
    void newerMinorVersionAndProtocolOptionsAreNegotiatedDownToThreeZero() throws Exception {
        try (RawPgClient client = connect()) {
            client.sendStartup(3 << 16 | 9, Map.of("user", "postgres", "database", "postgres", "_pq_.no_such_option", "on"));
            List<RawMessage> messages = client.readUntilReadyForQuery();

            assertThat(messages).extracting(RawMessage::type).doesNotContain('E');
            RawMessage negotiate = messages.get(0);
            assertThat(negotiate.type()).isEqualTo('v');
            assertThat(negotiate.int32At(0)).as("newest minor version").isZero();
            assertThat(negotiate.int32At(4)).as("unrecognized options").isEqualTo(1);
            assertThat(new String(negotiate.body(), 8, negotiate.body().length - 9, StandardCharsets.US_ASCII))
                    .isEqualTo("_pq_.no_such_option");
            RawMessage keyData = messages.stream().filter(m -> m.type() == 'K').findFirst().orElseThrow();
            assertThat(keyData.body()).as("BackendKeyData of protocol 3.0").hasSize(8);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {3, 0, -1, Integer.MIN_VALUE})
    void lyingQueryLengthAfterAuthenticationEndsTheSessionWithFatal08P01(int length) throws Exception {
        try (RawPgClient client = loggedIn()) {
            client.send(ByteBuffer.allocate(16).put((byte) 'Q').putInt(length).put("SELECT 1\0".getBytes()).array());
            assertFatal(client, "08P01");
        }
    }

    @ParameterizedTest
    @ValueSource(chars = {'d', 'B', 'p'})
    void lyingLengthOnForwardedMessageTypesEndsTheSessionWithFatal08P01(char type) throws Exception {
        try (RawPgClient client = loggedIn()) {
            client.send(ByteBuffer.allocate(12).put((byte) type).putInt(2).array());
            assertFatal(client, "08P01");
        }
    }

    @Test
    void garbageInTheSamePacketAsSslRequestIsRefusedWithFatal08P01() throws Exception {
        try (RawPgClient client = connect()) {
            client.send(ByteBuffer.allocate(8 + 32).putInt(8).putInt(80877103).put(new byte[32]).array());
            assertFatal(client, "08P01");
        }
    }

    @Test
    void garbageAfterTheSslRequestAnswerIsRefusedWithFatal08P01() throws Exception {
        try (RawPgClient client = connect()) {
            assertThat(client.sendSslRequest()).isEqualTo('N');
            client.send(new byte[] {(byte) 0xFF, (byte) 0xFE, 0x00, 0x42, 0x13, 0x37, 0x00, 0x00, 0x01});
            assertFatal(client, "08P01");
        }
    }

    @Test
    void secondSslRequestAfterTheAnswerIsRefusedOrAnsweredAgainButNeverHangs() throws Exception {
        try (RawPgClient client = connect()) {
            assertThat(client.sendSslRequest()).isEqualTo('N');
            char second = client.sendSslRequest();
            if (second == 'E') {
                assertThat(client.isClosedByPeer(CLOSE_WITHIN)).isTrue();
            } else {
                assertThat(second).isEqualTo('N');
                client.sendStartup(STARTUP);
                assertThat(client.readUntilReadyForQuery()).extracting(RawMessage::type).doesNotContain('E');
            }
        }
    }

    @Test
    void unknownMessageTypeAfterAuthenticationGetsTheServersErrorAndTheConnectionEnds() throws Exception {
        try (RawPgClient client = loggedIn()) {
            client.sendMessage('y', new byte[] {1, 2, 3, 4});
            List<RawMessage> messages = new java.util.ArrayList<>();
            while (true) {
                try {
                    messages.add(client.readMessage());
                } catch (java.io.EOFException end) {
                    break;
                }
            }
            assertThat(messages).as("%s", messages).extracting(RawMessage::type).containsExactly('E');
            assertThat(messages.get(0).sqlState()).isEqualTo("08P01");
            assertThat(messages.get(0).severity()).isEqualTo("FATAL");
            assertThat(messages.get(0).message()).contains("invalid frontend message type 121");
        }
    }

    @Test
    void unknownMessageTypeAfterAuthenticationGetsTheServersFatalErrorFirstAndTheConnectionEnds() throws Exception {
        try (RawPgClient client = loggedIn()) {
            client.sendMessage('y', new byte[] {1, 2, 3, 4});
            RawMessage first = client.readMessage();

            assertThat(first.type()).as("%s", first).isEqualTo('E');
            assertThat(first.sqlState()).isEqualTo("08P01");
            assertThat(first.severity()).isEqualTo("FATAL");
            assertThat(first.message()).contains("invalid frontend message type 121");
            for (int i = 0; i < 3 && !client.isClosedByPeer(CLOSE_WITHIN); i++) {
                assertThat(client.readMessage().type()).isEqualTo('E');
            }
            assertThat(client.isClosedByPeer(CLOSE_WITHIN)).isTrue();
        }
    }

    @Test
    void clientVanishingInTheMiddleOfAMessageEndsItsSessionQuietly() throws Exception {
        for (int i = 0; i < MAX_CLIENTS + 2; i++) {
            try (RawPgClient client = loggedIn()) {
                client.send(ByteBuffer.allocate(5 + 10).put((byte) 'Q').putInt(1000).put("SELECT 1".getBytes()).array());
            }
        }
    }

    private static void assertFatal(RawPgClient client, String sqlState) throws IOException {
        RawMessage error = client.readMessage();
        assertThat(error.type()).as("got %s", error).isEqualTo('E');
        assertThat(error.severity()).isEqualTo("FATAL");
        assertThat(error.sqlState()).isEqualTo(sqlState);
        assertThat(error.message()).isNotBlank();
        assertThat(client.isClosedByPeer(CLOSE_WITHIN)).as("closed after the FATAL error").isTrue();
    }

    private static RawPgClient loggedIn() throws IOException {
        RawPgClient client = connect();
        client.sendStartup(STARTUP);
        assertThat(client.readUntilReadyForQuery()).extracting(RawMessage::type).doesNotContain('E');
        return client;
    }

    private static RawPgClient connect() throws IOException {
        return RawPgClient.connect("127.0.0.1", proxy.port(), Duration.ofSeconds(10));
    }
}
