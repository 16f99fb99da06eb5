import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/**
 * Records what a real PostgreSQL 18 server answers to scripted SASL OAUTHBEARER exchanges, one fixture file per
 * exchange, for pgwarden's OAuthBearerGoldenIT to replay against the proxy. capture.sh starts the server (TLS, an
 * {@code oauth} pg_hba line, golden_validator.so) and runs this program; see README.md.
 *
 * <pre>java CaptureOAuthBearer.java HOST PORT SERVER_CERT_PEM "SERVER VERSION" OUTPUT_DIR</pre>
 *
 * <p>Each exchange logs in over TLS (SSLRequest) as user {@value #USER} to database {@value #DATABASE}, then sends
 * its client messages one at a time. After each one the server's messages are read until it waits for the client
 * (AuthenticationSASL or SASLContinue), is ready (ReadyForQuery) or closes the connection; a client message is only
 * sent while the connection is open. The fixture lists every message in order (direction, type, body in hex) with a
 * decoded comment for the reader, and ends with {@code S closed} or {@code S open}.
 */
final class CaptureOAuthBearer {

    static final String USER = "golden";
    static final String DATABASE = "postgres";
    static final String ISSUER = "https://issuer.example";
    static final String SCOPE = "openid pgwarden";
    static final String TOKEN = "pgwarden-golden-token";

    private static final int PROTOCOL_3_0 = 196608;
    private static final int SSL_REQUEST = 80877103;
    private static final int READ_TIMEOUT_MILLIS = 5_000;
    private static final int OPEN_CHECK_MILLIS = 1_000;
    private static final int RUN_MIN = 32;
    /** PostgreSQL's PG_MAX_AUTH_TOKEN_LENGTH: the largest SASL message body the server reads. */
    private static final int MAX_AUTH_MESSAGE = 65_535;
    private static final int OVERSIZE_SENT = 64;

    /** One scripted exchange: its name (the fixture's file name), what it shows, and the client messages. */
    record Exchange(String name, String description, List<Message> client) {
    }

    /**
     * One message: its type byte ({@code 0} for the untyped StartupMessage) and body; only the first {@code sent}
     * bytes of the body are sent, though the length field counts all of it.
     */
    record Message(char type, byte[] body, int sent) {

        Message(char type, byte[] body) {
            this(type, body, body.length);
        }

        /** The bytes that cross the wire. */
        byte[] sentBody() {
            return java.util.Arrays.copyOf(body, sent);
        }
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 5) {
            System.err.println("usage: java CaptureOAuthBearer.java HOST PORT SERVER_CERT_PEM \"SERVER VERSION\" OUTPUT_DIR");
            System.exit(2);
        }
        String host = args[0];
        int port = Integer.parseInt(args[1]);
        SSLContext tls = trusting(Path.of(args[2]));
        String version = args[3];
        Path out = Path.of(args[4]);
        Files.createDirectories(out);
        List<String> names = new ArrayList<>();
        for (Exchange exchange : exchanges()) {
            List<String> lines = capture(host, port, tls, exchange);
            Files.write(out.resolve(exchange.name() + ".txt"), header(exchange, version, lines), StandardCharsets.UTF_8);
            names.add(exchange.name());
            System.err.println(exchange.name() + ": " + lines.get(lines.size() - 1));
        }
        List<String> index = new ArrayList<>();
        index.add("# The OAUTHBEARER exchanges captured from " + version + " by bench/oauth-golden/CaptureOAuthBearer.java, one per file.");
        index.addAll(names);
        Files.write(out.resolve("exchanges.txt"), index, StandardCharsets.UTF_8);
    }

    static List<Exchange> exchanges() {
        List<Exchange> all = new ArrayList<>();
        all.add(new Exchange("discovery", "An empty auth value asks for discovery; the client answers the error JSON with a kvsep.",
                List.of(initial("n,,\1auth=\1\1"), response("\1"))));
        all.add(new Exchange("discovery-y-flag", "The gs2 flag 'y' (client supports channel binding, server offered none) is accepted.",
                List.of(initial("y,,\1auth=\1\1"), response("\1"))));
        all.add(new Exchange("valid-token", "The token the validator accepts: AuthenticationOk at once, no SASL final message.",
                List.of(initial("n,,\1auth=Bearer " + TOKEN + "\1\1"))));
        all.add(new Exchange("valid-token-lowercase-scheme", "The Bearer scheme is compared case-insensitively.",
                List.of(initial("n,,\1auth=bearer " + TOKEN + "\1\1"))));
        all.add(new Exchange("valid-token-extra-spaces-and-keys", "Spaces after the scheme are skipped; other keys are ignored.",
                List.of(initial("n,,\1host=localhost\1auth=Bearer   " + TOKEN + "\1port=5432\1\1"))));
        all.add(new Exchange("wrong-token-then-kvsep", "A token the validator refuses: the error JSON, then the kvsep ends in FATAL.",
                List.of(initial("n,,\1auth=Bearer wrong-token\1\1"), response("\1"))));
        all.add(new Exchange("wrong-token-then-not-kvsep", "After the error JSON the only valid answer is a single kvsep.",
                List.of(initial("n,,\1auth=Bearer wrong-token\1\1"), response("n,,\1auth=Bearer wrong-token\1\1"))));
        all.add(new Exchange("no-initial-response", "SASLInitialResponse without data (length -1): an empty SASLContinue, "
                + "then the initial response comes in a SASLResponse.",
                List.of(initialWithoutData("OAUTHBEARER"), response("n,,\1auth=Bearer " + TOKEN + "\1\1"))));
        all.add(new Exchange("wrong-mechanism", "A mechanism the server did not offer.",
                List.of(new Message('p', saslInitial("SCRAM-SHA-256", ascii("n,,\1auth=\1\1"))))));
        malformed(all, "empty", "");
        all.add(new Exchange("embedded-nul", "A NUL byte inside the initial response.",
                List.of(initial("n,,\1auth=\0\1\1"))));
        malformed(all, "p-flag", "p=tls-server-end-point,,\1auth=\1\1");
        malformed(all, "missing-comma", "n\1auth=\1\1");
        malformed(all, "bad-flag", "x,,\1auth=\1\1");
        malformed(all, "authzid", "n,a=golden,\1auth=\1\1");
        malformed(all, "bad-attribute", "n,b,\1auth=\1\1");
        malformed(all, "missing-kvsep", "n,,auth=\1\1");
        malformed(all, "empty-key", "n,,\1=value\1\1");
        malformed(all, "invalid-key", "n,,\1auth2=value\1\1");
        malformed(all, "invalid-value", "n,,\1auth=Bearer abc\u007fdef\1\1");
        malformed(all, "key-without-value", "n,,\1auth\1\1");
        malformed(all, "unterminated-pair", "n,,\1auth=Bearer abc");
        malformed(all, "multiple-auth", "n,,\1auth=\1auth=\1\1");
        malformed(all, "no-final-terminator", "n,,\1auth=Bearer abc\1");
        malformed(all, "no-auth", "n,,\1host=localhost\1\1");
        malformed(all, "trailing-data", "n,,\1auth=\1\1extra");
        refused(all, "non-bearer-scheme", "n,,\1auth=Basic Z29sZGVuOmdvbGRlbg==\1\1");
        refused(all, "scheme-without-space", "n,,\1auth=Bearer\1\1");
        refused(all, "empty-bearer-token", "n,,\1auth=Bearer   \1\1");
        refused(all, "bad-token-chars", "n,,\1auth=Bearer abc!def\1\1");
        refused(all, "token-padding-then-more", "n,,\1auth=Bearer abc=def\1\1");
        // Only the start is sent: the server refuses on the length field alone, and a whole 64 KiB body would race
        // its close (a reset that can discard the ErrorResponse before the client reads it).
        Message oversize = initial("n,,\1auth=Bearer " + "A".repeat(MAX_AUTH_MESSAGE) + "\1\1");
        all.add(new Exchange("oversize", "A SASLInitialResponse whose length field says more than PG_MAX_AUTH_TOKEN_LENGTH "
                + "(65535 bytes); only its first " + OVERSIZE_SENT + " bytes are sent.",
                List.of(new Message('p', oversize.body(), OVERSIZE_SENT))));
        return all;
    }

    private static void malformed(List<Exchange> all, String name, String initialResponse) {
        all.add(new Exchange(name, "A malformed initial response (" + name + ").", List.of(initial(initialResponse))));
    }

    private static void refused(List<Exchange> all, String name, String initialResponse) {
        all.add(new Exchange(name, "An auth value that is no acceptable bearer token (" + name
                + "): the error JSON, then the kvsep ends in FATAL.", List.of(initial(initialResponse), response("\1"))));
    }

    private static Message initial(String data) {
        return new Message('p', saslInitial("OAUTHBEARER", ascii(data)));
    }

    private static Message initialWithoutData(String mechanism) {
        return new Message('p', saslInitial(mechanism, null));
    }

    private static Message response(String data) {
        return new Message('p', ascii(data));
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static byte[] saslInitial(String mechanism, byte[] data) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(ascii(mechanism));
        body.write(0);
        body.writeBytes(ByteBuffer.allocate(4).putInt(data == null ? -1 : data.length).array());
        if (data != null) {
            body.writeBytes(data);
        }
        return body.toByteArray();
    }

    private static Message startup() {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(ByteBuffer.allocate(4).putInt(PROTOCOL_3_0).array());
        for (String part : new String[] {"user", USER, "database", DATABASE}) {
            body.writeBytes(ascii(part));
            body.write(0);
        }
        body.write(0);
        return new Message('\0', body.toByteArray());
    }

    private static List<String> capture(String host, int port, SSLContext tls, Exchange exchange) throws IOException {
        List<String> lines = new ArrayList<>();
        try (Socket plain = new Socket()) {
            plain.connect(new InetSocketAddress(host, port), READ_TIMEOUT_MILLIS);
            plain.setSoTimeout(READ_TIMEOUT_MILLIS);
            plain.getOutputStream().write(ByteBuffer.allocate(8).putInt(8).putInt(SSL_REQUEST).array());
            if (plain.getInputStream().read() != 'S') {
                throw new IOException("the server refused TLS");
            }
            SSLSocket socket = (SSLSocket) tls.getSocketFactory().createSocket(plain, host, port, true);
            socket.startHandshake();
            DataInputStream in = new DataInputStream(socket.getInputStream());
            OutputStream out = socket.getOutputStream();
            List<Message> script = new ArrayList<>();
            script.add(startup());
            script.addAll(exchange.client());
            boolean closed = false;
            for (Message message : script) {
                write(out, message);
                record(lines, "C", message);
                closed = readAnswers(in, lines);
                if (closed) {
                    break;
                }
            }
            lines.add(closed ? "S closed" : openOrClosed(socket, in));
        }
        return lines;
    }

    /** Reads until the server waits for the client, is ready, or closes; true when it closed. */
    private static boolean readAnswers(DataInputStream in, List<String> lines) throws IOException {
        while (true) {
            int type;
            try {
                type = in.read();
            } catch (SocketException | SSLException e) {
                return true;
            } catch (SocketTimeoutException e) {
                lines.add("# (no answer within " + READ_TIMEOUT_MILLIS + " ms)");
                return false;
            }
            if (type < 0) {
                return true;
            }
            int length = in.readInt();
            byte[] body = new byte[length - 4];
            in.readFully(body);
            Message message = new Message((char) type, body);
            record(lines, "S", message);
            if (type == 'Z') {
                return false;
            }
            if (type == 'R') {
                int code = ByteBuffer.wrap(body).getInt();
                if (code == 10 || code == 11) {
                    return false;
                }
            }
        }
    }

    private static String openOrClosed(SSLSocket socket, InputStream in) throws IOException {
        socket.setSoTimeout(OPEN_CHECK_MILLIS);
        try {
            return in.read() < 0 ? "S closed" : "S open";
        } catch (SocketTimeoutException e) {
            return "S open";
        } catch (SocketException | EOFException | SSLException e) {
            return "S closed";
        }
    }

    private static void write(OutputStream out, Message message) throws IOException {
        ByteBuffer frame = ByteBuffer.allocate((message.type() == 0 ? 4 : 5) + message.sent());
        if (message.type() != 0) {
            frame.put((byte) message.type());
        }
        frame.putInt(4 + message.body().length).put(message.body(), 0, message.sent());
        out.write(frame.array());
        out.flush();
    }

    private static void record(List<String> lines, String direction, Message message) {
        String type = (message.type() == 0 ? "-" : String.valueOf(message.type()))
                + (message.sent() < message.body().length ? "/" + message.body().length : "");
        lines.add(direction + " " + type + " " + hex(message.sentBody()));
        lines.add("#   " + describe(direction, message));
    }

    /** Lowercase hex; a run of {@value #RUN_MIN} or more equal bytes is written {@code {xx*N}}. */
    static String hex(byte[] bytes) {
        StringBuilder text = new StringBuilder();
        HexFormat format = HexFormat.of();
        int i = 0;
        while (i < bytes.length) {
            int end = i;
            while (end < bytes.length && bytes[end] == bytes[i]) {
                end++;
            }
            if (end - i >= RUN_MIN) {
                text.append('{').append(format.toHexDigits(bytes[i])).append('*').append(end - i).append('}');
            } else {
                text.append(format.formatHex(bytes, i, end));
            }
            i = end;
        }
        return text.toString();
    }

    private static String describe(String direction, Message message) {
        byte[] body = message.body();
        return switch (message.type()) {
            case 0 -> "StartupMessage user=" + USER + " database=" + DATABASE;
            case 'p' -> "C".equals(direction) ? "SASL message " + printable(message.sentBody())
                    + (message.sent() < body.length ? ", the first " + message.sent() + " of " + body.length + " bytes" : "") : "?";
            case 'R' -> authentication(body);
            case 'E', 'N' -> (message.type() == 'E' ? "ErrorResponse " : "NoticeResponse ") + fields(body);
            case 'S' -> "ParameterStatus " + printable(body);
            case 'K' -> "BackendKeyData";
            case 'Z' -> "ReadyForQuery " + (char) body[0];
            default -> "message " + message.type();
        };
    }

    private static String authentication(byte[] body) {
        int code = ByteBuffer.wrap(body).getInt();
        byte[] rest = java.util.Arrays.copyOfRange(body, 4, body.length);
        return switch (code) {
            case 0 -> "AuthenticationOk";
            case 10 -> "AuthenticationSASL mechanisms " + printable(rest);
            case 11 -> "AuthenticationSASLContinue " + printable(rest);
            case 12 -> "AuthenticationSASLFinal " + printable(rest);
            default -> "Authentication request " + code;
        };
    }

    private static String fields(byte[] body) {
        StringBuilder text = new StringBuilder();
        int start = 0;
        for (int i = 0; i < body.length; i++) {
            if (body[i] == 0) {
                if (i > start) {
                    text.append(text.length() == 0 ? "" : " ").append((char) body[start]).append('=')
                            .append(new String(body, start + 1, i - start - 1, StandardCharsets.UTF_8));
                }
                start = i + 1;
            }
        }
        return text.toString();
    }

    private static String printable(byte[] bytes) {
        StringBuilder text = new StringBuilder("\"");
        int shown = Math.min(bytes.length, 200);
        for (int i = 0; i < shown; i++) {
            int b = bytes[i] & 0xff;
            text.append(b >= 0x20 && b < 0x7f && b != '\\' ? String.valueOf((char) b) : String.format("\\x%02x", b));
        }
        if (shown < bytes.length) {
            text.append("... (").append(bytes.length).append(" bytes)");
        }
        return text.append('"').toString();
    }

    private static List<String> header(Exchange exchange, String version, List<String> lines) {
        List<String> all = new ArrayList<>();
        all.add("# OAUTHBEARER exchange \"" + exchange.name() + "\": " + exchange.description());
        all.add("# Server: " + version + ", captured " + LocalDate.now(ZoneOffset.UTC)
                + " by bench/oauth-golden/capture.sh over TLS (SSLRequest),");
        all.add("# pg_hba: hostssl all all 127.0.0.1/32 oauth issuer=\"" + ISSUER + "\" scope=\"" + SCOPE + "\"");
        all.add("# validator: golden_validator.so, which accepts only the token below.");
        all.add("# Lines: direction (C client, S server), message type (- for the untyped StartupMessage), body in hex");
        all.add("# after the length ({xx*N} is byte xx N times); '#   ' lines decode the line above for the reader.");
        all.add("# A type written p/N was sent with a length field for a body of N bytes, of which only the hex was sent.");
        all.add("# The last line says whether the server had closed the connection (S closed) or not (S open).");
        all.add("meta issuer " + ISSUER);
        all.add("meta scope " + SCOPE);
        all.add("meta token " + TOKEN);
        all.addAll(lines);
        return all;
    }

    private static SSLContext trusting(Path certificate) throws Exception {
        KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        store.load(null, null);
        try (InputStream pem = new FileInputStream(certificate.toFile())) {
            store.setCertificateEntry("server", CertificateFactory.getInstance("X.509").generateCertificate(pem));
        }
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(store);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        return context;
    }
}
