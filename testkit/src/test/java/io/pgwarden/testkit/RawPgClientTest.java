package io.pgwarden.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The client against a plain socket that plays the server, byte by byte. */
class RawPgClientTest {

    private ServerSocket listener;
    private RawPgClient client;
    private Socket server;

    @BeforeEach
    void connect() throws Exception {
        listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        CompletableFuture<Socket> accepted = CompletableFuture.supplyAsync(() -> {
            try {
                return listener.accept();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        client = RawPgClient.connect("127.0.0.1", listener.getLocalPort(), Duration.ofMillis(500));
        server = accepted.get(5, TimeUnit.SECONDS);
    }

    @AfterEach
    void close() throws IOException {
        client.close();
        server.close();
        listener.close();
    }

    @Test
    void startupMessageHasLengthVersionAndTerminatedPairs() throws Exception {
        Map<String, String> parameters = new LinkedHashMap<>();
        parameters.put("user", "u");
        parameters.put("database", "d");
        client.sendStartup(parameters);

        byte[] expected = {0, 0, 0, 23, 0, 3, 0, 0, 'u', 's', 'e', 'r', 0, 'u', 0,
            'd', 'a', 't', 'a', 'b', 'a', 's', 'e', 0, 'd', 0, 0};
        expected[3] = (byte) expected.length;
        assertThat(read(expected.length)).isEqualTo(expected);
    }

    @Test
    void sslRequestSendsTheCodeAndReturnsTheAnswerByte() throws Exception {
        server.getOutputStream().write('N');

        assertThat(client.sendSslRequest()).isEqualTo('N');
        assertThat(read(8)).isEqualTo(new byte[] {0, 0, 0, 8, 0x04, (byte) 0xd2, 0x16, 0x2f});
    }

    @Test
    void framesAreSplitByTheirLengthEvenWhenTheyArriveTogether() throws Exception {
        server.getOutputStream().write(new byte[] {'R', 0, 0, 0, 8, 0, 0, 0, 0, 'Z', 0, 0, 0, 5, 'I'});

        assertThat(client.readUntilReadyForQuery()).containsExactly(
                new RawMessage('R', new byte[] {0, 0, 0, 0}), new RawMessage('Z', new byte[] {'I'}));
    }

    @Test
    void lengthBelowFourIsRejected() throws Exception {
        server.getOutputStream().write(new byte[] {'E', 0, 0, 0, 3});

        assertThatThrownBy(client::readMessage).isInstanceOf(IOException.class).hasMessageContaining("bad length 3");
    }

    @Test
    void silentServerTimesOutInsteadOfHanging() {
        assertThatThrownBy(client::readMessage).isInstanceOf(SocketTimeoutException.class);
    }

    @Test
    void truncatedFrameThenCloseIsEndOfStream() throws Exception {
        server.getOutputStream().write(new byte[] {'Z', 0, 0, 0, 5});
        server.close();

        assertThatThrownBy(client::readMessage).isInstanceOf(EOFException.class);
    }

    @Test
    void closeByPeerIsSeenAndDataIsNotMistakenForIt() throws Exception {
        assertThat(client.isClosedByPeer(Duration.ofMillis(100))).isFalse();

        server.getOutputStream().write(new byte[] {'Z', 0, 0, 0, 5, 'I'});
        assertThat(client.isClosedByPeer(Duration.ofMillis(500))).isFalse();
        assertThat(client.readMessage().transactionStatus()).isEqualTo('I');

        server.close();
        assertThat(client.isClosedByPeer(Duration.ofSeconds(2))).isTrue();
    }

    @Test
    void typedMessagesCarryTypeLengthAndBody() throws Exception {
        client.sendQuery("SELECT 1");

        assertThat(read(14)).isEqualTo(new byte[] {'Q', 0, 0, 0, 13, 'S', 'E', 'L', 'E', 'C', 'T', ' ', '1', 0});
    }

    private byte[] read(int count) throws IOException {
        server.setSoTimeout(2000);
        InputStream in = server.getInputStream();
        return in.readNBytes(count);
    }
}
