package io.pgwarden.it.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgwarden.testkit.ProxyFixture;
import io.pgwarden.testkit.EmbeddedPostgres;
import io.pgwarden.testkit.LeakCheckExtension;
import io.pgwarden.testkit.RawMessage;
import io.pgwarden.testkit.RawPgClient;
import io.pgwarden.testkit.TestCertificates;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Direct TLS (libpq 17 {@code sslnegotiation=direct}): the client starts TLS at once, without SSLRequest,
 * and must offer ALPN {@code postgresql}; a proxy without TLS closes such a connection.
 */
@ExtendWith(LeakCheckExtension.class)
class DirectTlsIT {

    private static final Map<String, String> STARTUP = Map.of("user", "postgres", "database", "postgres");

    private static TestCertificates certificates;
    private static EmbeddedPostgres postgres;
    private static ProxyFixture disabled;
    private static ProxyFixture allowed;
    private static ProxyFixture required;

    private static TlsModeProxies proxies;

    @BeforeAll
    static void start() throws Exception {
        proxies = TlsModeProxies.start();
        certificates = proxies.certificates();
        postgres = proxies.postgres();
        disabled = proxies.disabled();
        allowed = proxies.allowed();
        required = proxies.required();
    }

    @AfterAll
    static void stop() throws Exception {
        if (proxies != null) {
            proxies.close();
        }
    }

    @Test
    void directTlsWithAlpnPostgresqlAuthenticatesAndRunsAQuery() throws Exception {
        for (ProxyFixture proxy : List.of(allowed, required)) {
            try (SSLSocket socket = directTls(proxy, "postgresql")) {
                assertThat(socket.getApplicationProtocol()).isEqualTo("postgresql");
                socket.getOutputStream().write(startup(STARTUP));
                DataInputStream in = new DataInputStream(socket.getInputStream());
                List<RawMessage> login = untilReadyForQuery(in);
                assertThat(login.get(0).type()).isEqualTo('R');
                assertThat(login.get(0).int32At(0)).isZero();
                assertThat(login).extracting(RawMessage::type).doesNotContain('E');

                socket.getOutputStream().write(query("SELECT 'over direct TLS'"));
                List<RawMessage> result = untilReadyForQuery(in);
                assertThat(result).extracting(RawMessage::type).containsExactly('T', 'D', 'C', 'Z');
                assertThat(new String(result.get(1).body(), 6, result.get(1).body().length - 6, StandardCharsets.UTF_8))
                        .isEqualTo("over direct TLS");
            }
        }
    }

    @Test
    void directTlsWithoutAlpnIsRefused() throws Exception {
        try (RawPgClient client = RawPgClient.connect("localhost", allowed.port())) {
            client.startTls(certificates); // at once, no SSLRequest, no ALPN
            RawMessage answer;
            try {
                client.sendStartup(STARTUP);
                answer = client.readMessage();
            } catch (EOFException | java.net.SocketException | javax.net.ssl.SSLException closed) {
                return; // closed without a word: refused
            }
            assertThat(answer.type()).as("refusal, got %s", answer).isEqualTo('E');
            assertThat(answer.severity()).isEqualTo("FATAL");
            assertThat(answer.sqlState()).isEqualTo("08P01");
            assertThat(client.isClosedByPeer(java.time.Duration.ofSeconds(5))).isTrue();
        }
    }

    @Test
    void directTlsWithAnotherAlpnProtocolIsRefused() throws Exception {
        try (SSLSocket socket = directTls(allowed, "http/1.1")) {
            socket.getOutputStream().write(startup(STARTUP));
            DataInputStream in = new DataInputStream(socket.getInputStream());
            RawMessage answer = read(in);
            assertThat(answer.type()).as("refusal, got %s", answer).isEqualTo('E');
            assertThat(answer.sqlState()).isEqualTo("08P01");
        } catch (EOFException | java.net.SocketException | javax.net.ssl.SSLException refused) {
            assertThat(refused).isNotNull(); // closed during or after the handshake: refused
        }
    }

    @Test
    void directTlsToAProxyWithoutTlsIsClosed() throws Exception {
        assertThatThrownBy(() -> directTls(disabled, "postgresql").close()).isInstanceOf(IOException.class);

        try (RawPgClient client = RawPgClient.connect("127.0.0.1", disabled.port())) {
            client.sendStartup(STARTUP);
            assertThat(client.readUntilReadyForQuery()).extracting(RawMessage::type).doesNotContain('E');
        }
    }

    private static SSLSocket directTls(ProxyFixture proxy, String alpn) throws IOException {
        Socket plain = new Socket();
        plain.connect(new InetSocketAddress("127.0.0.1", proxy.port()), 5000);
        plain.setSoTimeout(10_000);
        SSLSocket socket = (SSLSocket) certificates.clientContext().getSocketFactory()
                .createSocket(plain, "localhost", proxy.port(), true);
        try {
            SSLParameters parameters = socket.getSSLParameters();
            parameters.setEndpointIdentificationAlgorithm("HTTPS");
            parameters.setApplicationProtocols(new String[] {alpn});
            socket.setSSLParameters(parameters);
            socket.startHandshake();
            return socket;
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    private static List<RawMessage> untilReadyForQuery(DataInputStream in) throws IOException {
        List<RawMessage> messages = new ArrayList<>();
        RawMessage message;
        do {
            message = read(in);
            messages.add(message);
        } while (message.type() != 'Z');
        return messages;
    }

    private static RawMessage read(DataInputStream in) throws IOException {
        int type = in.read();
        if (type < 0) {
            throw new EOFException("closed by the proxy");
        }
        int length = in.readInt();
        byte[] body = new byte[length - 4];
        in.readFully(body);
        return new RawMessage((char) type, body);
    }

    private static byte[] startup(Map<String, String> parameters) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(ByteBuffer.allocate(4).putInt(RawPgClient.PROTOCOL_3_0).array());
        parameters.forEach((name, value) -> {
            body.writeBytes((name + "\0" + value + "\0").getBytes(StandardCharsets.UTF_8));
        });
        body.write(0);
        byte[] bytes = body.toByteArray();
        return ByteBuffer.allocate(4 + bytes.length).putInt(4 + bytes.length).put(bytes).array();
    }

    private static byte[] query(String sql) {
        byte[] text = sql.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(6 + text.length).put((byte) 'Q').putInt(5 + text.length).put(text).put((byte) 0).array();
    }
}
