package io.pgwarden.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The relay in front of a plain echo server. */
class FaultRelayTest {

    private ServerSocket echo;
    private Thread echoThread;
    private FaultRelay relay;

    @BeforeEach
    void start() throws IOException {
        echo = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        echoThread = new Thread(this::echoLoop, "echo");
        echoThread.setDaemon(true);
        echoThread.start();
        relay = FaultRelay.start("127.0.0.1", echo.getLocalPort());
    }

    @AfterEach
    void stop() throws Exception {
        relay.close();
        echo.close();
        echoThread.join(5000);
    }

    @Test
    void bytesGoThroughAndComeBackUnchanged() throws IOException {
        try (Socket socket = connect()) {
            byte[] data = new byte[100_000];
            for (int i = 0; i < data.length; i++) {
                data[i] = (byte) (i * 31);
            }
            Thread writer = new Thread(() -> {
                try {
                    socket.getOutputStream().write(data);
                } catch (IOException ignored) {
                    // The read below fails and reports it.
                }
            });
            writer.start();
            assertThat(socket.getInputStream().readNBytes(data.length)).isEqualTo(data);
        }
        assertThat(relay.acceptedConnections()).isEqualTo(1);
    }

    @Test
    void delayHoldsEachChunk() throws IOException {
        relay.delay(Duration.ofMillis(300));
        try (Socket socket = connect()) {
            long start = System.nanoTime();
            roundTrip(socket, "ping");
            // Two hops through the relay (there and back), each delayed.
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(600));
        }
    }

    @Test
    void stallHoldsDataUntilResume() throws IOException {
        try (Socket socket = connect()) {
            roundTrip(socket, "before");
            relay.stall();
            socket.getOutputStream().write("held".getBytes());
            socket.setSoTimeout(300);
            assertThatThrownBy(() -> socket.getInputStream().read()).isInstanceOf(SocketTimeoutException.class);

            relay.resume();
            socket.setSoTimeout(5000);
            assertThat(new String(socket.getInputStream().readNBytes(4))).isEqualTo("held");
        }
    }

    @Test
    void cutAllResetsOpenConnectionsButAcceptsNewOnes() throws Exception {
        try (Socket socket = connect()) {
            roundTrip(socket, "x");
            relay.cutAll();
            assertThat(endOfStreamOrReset(socket)).isTrue();
        }
        waitForNoConnections();
        try (Socket again = connect()) {
            roundTrip(again, "y");
        }
    }

    @Test
    void cutAfterBytesForwardsExactlyThatManyThenCuts() throws Exception {
        relay.cutAfterBytes(6);
        try (Socket socket = connect()) {
            socket.getOutputStream().write("abcd".getBytes());
            assertThat(new String(socket.getInputStream().readNBytes(2))).isEqualTo("ab");
            assertThat(endOfStreamOrReset(socket)).isTrue();
        }
    }

    @Test
    void closeResetsConnectionsAndStopsAccepting() throws Exception {
        Socket socket = connect();
        roundTrip(socket, "z");
        relay.close();

        assertThat(endOfStreamOrReset(socket)).isTrue();
        socket.close();
        assertThatThrownBy(this::connect).isInstanceOf(IOException.class);
    }

    private Socket connect() throws IOException {
        Socket socket = new Socket(relay.host(), relay.port());
        socket.setSoTimeout(5000);
        return socket;
    }

    private static void roundTrip(Socket socket, String text) throws IOException {
        socket.getOutputStream().write(text.getBytes());
        assertThat(new String(socket.getInputStream().readNBytes(text.length()))).isEqualTo(text);
    }

    private static boolean endOfStreamOrReset(Socket socket) throws IOException {
        socket.setSoTimeout(5000);
        InputStream in = socket.getInputStream();
        try {
            return in.read() < 0;
        } catch (SocketException reset) {
            return true;
        }
    }

    private void waitForNoConnections() throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (relay.openConnections() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(relay.openConnections()).isZero();
    }

    private void echoLoop() {
        while (!echo.isClosed()) {
            try {
                Socket socket = echo.accept();
                Thread thread = new Thread(() -> {
                    try (socket) {
                        socket.getInputStream().transferTo(socket.getOutputStream());
                    } catch (IOException ignored) {
                        // The relay cut it: that is what several tests do.
                    }
                }, "echo-connection");
                thread.setDaemon(true);
                thread.start();
            } catch (IOException e) {
                return;
            }
        }
    }
}
