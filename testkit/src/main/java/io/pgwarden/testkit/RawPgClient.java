package io.pgwarden.testkit;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PushbackInputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;

/**
 * A blocking-socket PostgreSQL protocol client for tests that must send arbitrary bytes or watch exactly what a
 * server answers. It frames messages itself (type byte, Int32 length, body), independent of the core's codec.
 * Every read has a timeout ({@link #DEFAULT_TIMEOUT} unless given), so a test never hangs.
 */
public final class RawPgClient implements AutoCloseable {

    /** How long a read waits unless another timeout is given. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

    /** The protocol version 3.0 as sent in a StartupMessage. */
    public static final int PROTOCOL_3_0 = 196608;

    /** The ALPN protocol name PostgreSQL requires for direct TLS. */
    public static final String ALPN_POSTGRESQL = "postgresql";

    private static final int SSL_REQUEST_CODE = 80877103;
    private static final int GSSENC_REQUEST_CODE = 80877104;
    private static final int MAX_BODY = 16 * 1024 * 1024;

    private final String host;
    private final int port;
    private final Duration timeout;
    private Socket socket;
    private PushbackInputStream in;
    private OutputStream out;

    private RawPgClient(String host, int port, Duration timeout, Socket socket) throws IOException {
        this.host = host;
        this.port = port;
        this.timeout = timeout;
        use(socket);
    }

    /** Connects with the default timeout. */
    public static RawPgClient connect(String host, int port) throws IOException {
        return connect(host, port, DEFAULT_TIMEOUT);
    }

    /** Connects; {@code timeout} bounds the connect and each read. */
    public static RawPgClient connect(String host, int port, Duration timeout) throws IOException {
        Socket socket = new Socket();
        try {
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress(host, port), Math.toIntExact(timeout.toMillis()));
            return new RawPgClient(host, port, timeout, socket);
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    /**
     * Connects and starts TLS at once, without an SSLRequest ({@code sslnegotiation=direct}, PostgreSQL 17+),
     * offering the ALPN protocol {@code postgresql} and verifying the server's certificate and host name.
     */
    public static RawPgClient connectDirectTls(String host, int port, SSLContext context) throws IOException {
        return connectDirectTls(host, port, context, List.of(ALPN_POSTGRESQL));
    }

    /** Like {@link #connectDirectTls(String, int, SSLContext)} with the given ALPN list (empty for none). */
    public static RawPgClient connectDirectTls(String host, int port, SSLContext context, List<String> alpn)
            throws IOException {
        RawPgClient client = connect(host, port, DEFAULT_TIMEOUT);
        try {
            client.upgrade(context, alpn);
            return client;
        } catch (IOException | RuntimeException e) {
            client.close();
            throw e;
        }
    }

    /** Writes these bytes as they are. */
    public void send(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** Sends a protocol 3.0 StartupMessage with these parameters (e.g. {@code user}, {@code database}). */
    public void sendStartup(Map<String, String> parameters) throws IOException {
        sendStartup(PROTOCOL_3_0, parameters);
    }

    /** Sends a StartupMessage with any protocol version number. */
    public void sendStartup(int protocolVersion, Map<String, String> parameters) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        writeInt(body, protocolVersion);
        parameters.forEach((name, value) -> {
            writeCString(body, name);
            writeCString(body, value);
        });
        body.write(0);
        send(untypedFrame(body.toByteArray()));
    }

    /** Sends an SSLRequest and returns the one-byte answer ({@code 'S'} or {@code 'N'}, or {@code 'E'}). */
    public char sendSslRequest() throws IOException {
        return sendEncryptionRequest(SSL_REQUEST_CODE);
    }

    /** Sends a GSSENCRequest and returns the one-byte answer. */
    public char sendGssEncRequest() throws IOException {
        return sendEncryptionRequest(GSSENC_REQUEST_CODE);
    }

    /** Sends a message with a type byte: {@code type}, Int32 length, {@code body}. */
    public void sendMessage(char type, byte[] body) throws IOException {
        ByteBuffer frame = ByteBuffer.allocate(5 + body.length);
        frame.put((byte) type).putInt(4 + body.length).put(body);
        send(frame.array());
    }

    /** Sends a simple Query. */
    public void sendQuery(String sql) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        writeCString(body, sql);
        sendMessage('Q', body.toByteArray());
    }

    /** Sends a PasswordMessage with a cleartext password. */
    public void sendPassword(String password) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        writeCString(body, password);
        sendMessage('p', body.toByteArray());
    }

    /** Sends Terminate. */
    public void sendTerminate() throws IOException {
        sendMessage('X', new byte[0]);
    }

    /**
     * Upgrades the connection to TLS after the server answered {@code 'S'}, verifying the server's certificate
     * and host name with {@code context} (e.g. {@link TestCertificates#clientContext()}).
     *
     * @throws IllegalStateException when the server sent plaintext bytes after {@code 'S'} (CVE-2021-23214)
     */
    public void startTls(SSLContext context) throws IOException {
        if (socket.getInputStream().available() > 0) {
            throw new IllegalStateException("server sent unencrypted bytes after answering the SSLRequest");
        }
        upgrade(context, List.of());
    }

    private void upgrade(SSLContext context, List<String> alpn) throws IOException {
        SSLSocket tls = (SSLSocket) context.getSocketFactory().createSocket(socket, host, port, true);
        SSLParameters parameters = tls.getSSLParameters();
        parameters.setEndpointIdentificationAlgorithm("HTTPS");
        if (!alpn.isEmpty()) {
            parameters.setApplicationProtocols(alpn.toArray(new String[0]));
        }
        tls.setSSLParameters(parameters);
        tls.startHandshake();
        use(tls);
    }

    /** Upgrades to TLS trusting the test CA of {@code certificates}, presenting no client certificate. */
    public void startTls(TestCertificates certificates) throws IOException {
        startTls(certificates.clientContext());
    }

    /** The ALPN protocol the server chose, or null without TLS; empty when none was negotiated. */
    public String applicationProtocol() {
        return socket instanceof SSLSocket tls ? tls.getApplicationProtocol() : null;
    }

    /** The TLS session after {@link #startTls}, or null. */
    public SSLSession tlsSession() {
        return socket instanceof SSLSocket tls ? tls.getSession() : null;
    }

    /**
     * Reads one message.
     *
     * @throws SocketTimeoutException when none arrives in time
     * @throws EOFException when the peer closed the connection first
     */
    public RawMessage readMessage() throws IOException {
        int type = in.read();
        if (type < 0) {
            throw new EOFException("connection closed by the server");
        }
        byte[] header = readFully(4);
        int length = ByteBuffer.wrap(header).getInt();
        if (length < 4 || length - 4 > MAX_BODY) {
            throw new IOException("bad length " + length + " in message of type '" + (char) type + "'");
        }
        return new RawMessage((char) type, readFully(length - 4));
    }

    /** Reads messages up to and including ReadyForQuery; an ErrorResponse on the way is returned in the list. */
    public List<RawMessage> readUntilReadyForQuery() throws IOException {
        List<RawMessage> messages = new ArrayList<>();
        while (true) {
            RawMessage message;
            try {
                message = readMessage();
            } catch (EOFException e) {
                throw new EOFException("connection closed before ReadyForQuery; received " + messages);
            }
            messages.add(message);
            if (message.type() == 'Z') {
                return messages;
            }
        }
    }

    /** Reads one raw byte, or -1 at end of stream. */
    public int readByte() throws IOException {
        return in.read();
    }

    /**
     * Whether the peer closes the connection within {@code within}: true on end of stream, reset or TLS alert, false when
     * the time passes or data arrives first (the data stays readable).
     */
    public boolean isClosedByPeer(Duration within) throws IOException {
        socket.setSoTimeout(Math.max(1, Math.toIntExact(within.toMillis())));
        try {
            int next = in.read();
            if (next < 0) {
                return true;
            }
            in.unread(next);
            return false;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (SocketException | SSLException e) {
            // A reset, or a TLS alert and close: the peer ended the connection either way.
            return true;
        } finally {
            if (!socket.isClosed()) {
                socket.setSoTimeout(Math.toIntExact(timeout.toMillis()));
            }
        }
    }

    /** Closes the socket without Terminate. */
    @Override
    public void close() throws IOException {
        socket.close();
    }

    private char sendEncryptionRequest(int code) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        writeInt(body, code);
        send(untypedFrame(body.toByteArray()));
        int answer = in.read();
        if (answer < 0) {
            throw new EOFException("connection closed instead of answering the encryption request");
        }
        return (char) answer;
    }

    private void use(Socket next) throws IOException {
        next.setSoTimeout(Math.toIntExact(timeout.toMillis()));
        socket = next;
        InputStream raw = next.getInputStream();
        in = new PushbackInputStream(raw, 1);
        out = next.getOutputStream();
    }

    private byte[] readFully(int count) throws IOException {
        byte[] bytes = in.readNBytes(count);
        if (bytes.length < count) {
            throw new EOFException("connection closed after " + bytes.length + " of " + count + " bytes");
        }
        return bytes;
    }

    private static byte[] untypedFrame(byte[] body) {
        return ByteBuffer.allocate(4 + body.length).putInt(4 + body.length).put(body).array();
    }

    private static void writeInt(ByteArrayOutputStream out, int value) {
        out.writeBytes(ByteBuffer.allocate(4).putInt(value).array());
    }

    private static void writeCString(ByteArrayOutputStream out, String text) {
        out.writeBytes(text.getBytes(StandardCharsets.UTF_8));
        out.write(0);
    }
}
