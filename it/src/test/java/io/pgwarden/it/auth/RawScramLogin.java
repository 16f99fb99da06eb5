package io.pgwarden.it.auth;

import io.pgwarden.scram.SaslPrep;
import io.pgwarden.scram.ScramSha256;
import io.pgwarden.testkit.RawMessage;
import io.pgwarden.testkit.RawPgClient;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;

/**
 * A SCRAM-SHA-256 login driven message by message over {@link RawPgClient}, recording everything the server sent,
 * so tests can compare exchanges (an unknown user against a wrong password) and see where a login ended: before
 * SASL, after the server-first message, after the server accepted the proof (AuthenticationSASLFinal), or in.
 *
 * <p>The client part follows RFC 5802/7677 as libpq does ({@code n,,} header, empty {@code n=}); the password
 * goes through SASLprep. It computes the proof itself, so the test knows the exact secret strings that must never
 * appear in a log.
 */
final class RawScramLogin {

    /** AuthenticationOk, AuthenticationCleartextPassword, AuthenticationMD5Password and the SASL codes. */
    static final int AUTH_OK = 0;
    static final int AUTH_CLEARTEXT = 3;
    static final int AUTH_MD5 = 5;
    static final int AUTH_SASL = 10;
    static final int AUTH_SASL_CONTINUE = 11;
    static final int AUTH_SASL_FINAL = 12;

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    private RawScramLogin() {
    }

    /** Logs in without TLS with the header {@code n,,}. */
    static Result attempt(String host, int port, String database, String user, String password) throws IOException {
        return attempt(host, port, database, user, password, null, "n,,");
    }

    /**
     * Logs in; with {@code tls} non-null the client sends an SSLRequest and starts TLS with that context first.
     * {@code gs2Header} is sent as given (e.g. {@code y,,} to claim the client could bind but thinks the server
     * cannot), so tests can play a client a stranger controls.
     */
    static Result attempt(String host, int port, String database, String user, String password, SSLContext tls,
                          String gs2Header) throws IOException {
        List<RawMessage> received = new ArrayList<>();
        try (RawPgClient client = RawPgClient.connect(host, port, TIMEOUT)) {
            if (tls != null) {
                char answer = client.sendSslRequest();
                if (answer != 'S') {
                    throw new AssertionError("the proxy answered the SSLRequest with " + answer);
                }
                client.startTls(tls);
            }
            client.sendStartup(Map.of("user", user, "database", database));
            RawMessage first = read(client, received);
            if (first == null || authCode(first) != AUTH_SASL) {
                return new Result(received, List.of(), null, null, null);
            }
            List<String> mechanisms = mechanisms(first);
            String nonce = Base64.getEncoder().encodeToString(randomBytes(18));
            String clientFirstBare = "n=,r=" + nonce;
            client.sendMessage('p', saslInitialResponse("SCRAM-SHA-256", gs2Header + clientFirstBare));
            RawMessage second = read(client, received);
            if (second == null || authCode(second) != AUTH_SASL_CONTINUE) {
                return new Result(received, mechanisms, null, null, null);
            }
            String serverFirst = saslData(second);
            Map<String, String> attributes = attributes(serverFirst);
            byte[] salt = Base64.getDecoder().decode(attributes.get("s"));
            int iterations = Integer.parseInt(attributes.get("i"));
            String withoutProof = "c=" + Base64.getEncoder().encodeToString(gs2Header.getBytes(StandardCharsets.US_ASCII))
                    + ",r=" + attributes.get("r");
            byte[] saltedPassword = ScramSha256.hi(SaslPrep.prepare(password).getBytes(StandardCharsets.UTF_8), salt, iterations);
            byte[] clientKey = ScramSha256.clientKey(saltedPassword);
            byte[] storedKey = ScramSha256.sha256(clientKey);
            String authMessage = clientFirstBare + "," + serverFirst + "," + withoutProof;
            byte[] proof = ScramSha256.xor(clientKey, ScramSha256.hmac(storedKey, authMessage));
            String proofText = Base64.getEncoder().encodeToString(proof);
            client.sendMessage('p', (withoutProof + ",p=" + proofText).getBytes(StandardCharsets.US_ASCII));
            while (true) {
                RawMessage next = read(client, received);
                if (next == null || next.type() == 'E' || next.type() == 'Z') {
                    break;
                }
            }
            return new Result(received, mechanisms, serverFirst, proofText, Base64.getEncoder().encodeToString(clientKey));
        }
    }

    /** Reads one message into {@code received}; null when the server closed the connection instead. */
    private static RawMessage read(RawPgClient client, List<RawMessage> received) throws IOException {
        try {
            RawMessage message = client.readMessage();
            received.add(message);
            return message;
        } catch (EOFException | SocketException e) {
            return null;
        }
    }

    /** The request code of an Authentication message, or -1 for any other message. */
    static int authCode(RawMessage message) {
        return message.type() == 'R' ? message.int32At(0) : -1;
    }

    private static List<String> mechanisms(RawMessage sasl) {
        List<String> names = new ArrayList<>();
        byte[] body = sasl.body();
        int position = 4;
        while (position < body.length && body[position] != 0) {
            int end = position;
            while (body[end] != 0) {
                end++;
            }
            names.add(new String(body, position, end - position, StandardCharsets.US_ASCII));
            position = end + 1;
        }
        return names;
    }

    private static String saslData(RawMessage message) {
        return new String(message.body(), 4, message.body().length - 4, StandardCharsets.US_ASCII);
    }

    static Map<String, String> attributes(String scramMessage) {
        Map<String, String> attributes = new LinkedHashMap<>();
        for (String part : scramMessage.split(",")) {
            int equals = part.indexOf('=');
            attributes.put(part.substring(0, equals), part.substring(equals + 1));
        }
        return attributes;
    }

    private static byte[] saslInitialResponse(String mechanism, String data) {
        byte[] bytes = data.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(mechanism.getBytes(StandardCharsets.US_ASCII));
        body.write(0);
        body.writeBytes(ByteBuffer.allocate(4).putInt(bytes.length).array());
        body.writeBytes(bytes);
        return body.toByteArray();
    }

    private static byte[] randomBytes(int count) {
        byte[] bytes = new byte[count];
        RANDOM.nextBytes(bytes);
        return bytes;
    }

    /**
     * What happened.
     *
     * @param received every message the server sent, in order
     * @param mechanisms the SASL mechanisms offered, empty when SASL never started
     * @param serverFirst the server-first message, null when the exchange ended earlier
     * @param proof the base64 client proof sent, null when none was
     * @param clientKey the base64 ClientKey the proof carries, null when none was sent
     */
    record Result(List<RawMessage> received, List<String> mechanisms, String serverFirst, String proof, String clientKey) {

        /** The message types and, for Authentication messages, their codes: e.g. {@code [R10, R11, E]}. */
        List<String> shape() {
            return received.stream().map(m -> m.type() == 'R' ? "R" + authCode(m) : String.valueOf(m.type())).toList();
        }

        /** Whether the server accepted the proof (sent AuthenticationSASLFinal), whatever happened after. */
        boolean proofAccepted() {
            return received.stream().anyMatch(m -> authCode(m) == AUTH_SASL_FINAL);
        }

        /** Whether the login reached ReadyForQuery without an error. */
        boolean loggedIn() {
            return received.stream().anyMatch(m -> m.type() == 'Z') && error() == null;
        }

        /** The ErrorResponse, or null. */
        RawMessage error() {
            return received.stream().filter(m -> m.type() == 'E').findFirst().orElse(null);
        }

        /** The salt (base64) of the server-first message. */
        String salt() {
            return attributes(serverFirst).get("s");
        }

        /** The iteration count of the server-first message. */
        int iterations() {
            return Integer.parseInt(attributes(serverFirst).get("i"));
        }
    }
}
