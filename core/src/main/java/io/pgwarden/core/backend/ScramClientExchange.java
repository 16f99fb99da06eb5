package io.pgwarden.core.backend;

import io.pgwarden.scram.SaslPrep;
import io.pgwarden.scram.ScramSha256;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.Objects;

/**
 * The client side of one SCRAM-SHA-256(-PLUS) exchange (RFC 5802, RFC 7677) as PostgreSQL speaks
 * it: the user name is sent empty ({@code n=}) because the server takes the StartupMessage's user,
 * and channel binding is {@code tls-server-end-point} (RFC 5929). The server-first message is
 * checked strictly (nonce prefix, base64 salt, iteration count between {@value #MIN_ITERATIONS} and
 * {@value #MAX_ITERATIONS}) and the server's signature is always verified.
 */
final class ScramClientExchange {

    static final String MECHANISM = "SCRAM-SHA-256";
    static final String MECHANISM_PLUS = "SCRAM-SHA-256-PLUS";
    static final int MIN_ITERATIONS = 4096;
    static final int MAX_ITERATIONS = 10_000_000;
    /** libpq's SCRAM_RAW_NONCE_LEN. */
    private static final int NONCE_BYTES = 18;
    private static final SecureRandom RANDOM = new SecureRandom();

    /** Where the client's proof comes from. */
    sealed interface Secret permits Secret.Password, Secret.Keys {
        /** A password, prepared with SASLprep and salted with the server's salt and iteration count. */
        record Password(String password) implements Secret {
            public Password {
                Objects.requireNonNull(password, "password");
            }

            @Override
            public String toString() {
                return "Password[***]";
            }
        }

        /** ClientKey and ServerKey known already; the server's salt and iteration count are not needed. */
        record Keys(byte[] clientKey, byte[] serverKey) implements Secret {
            public Keys {
                if (clientKey.length != ScramSha256.KEY_LENGTH || serverKey.length != ScramSha256.KEY_LENGTH) {
                    throw new IllegalArgumentException("SCRAM-SHA-256 keys are 32 bytes");
                }
                clientKey = clientKey.clone();
                serverKey = serverKey.clone();
            }

            @Override
            public String toString() {
                return "Keys[***]";
            }
        }
    }

    private enum State { INITIAL, FIRST_SENT, FINAL_SENT, DONE }

    private final String username;
    private final Secret secret;
    private final String gs2Header;
    private final byte[] channelBindingData;
    private final String clientNonce;
    private State state = State.INITIAL;
    private String clientFirstBare;
    private byte[] expectedServerSignature;

    /**
     * @param username the user name to send; PostgreSQL clients send an empty one
     * @param secret the password or keys
     * @param tlsServerEndPoint the channel binding data, or null when not on TLS
     * @param plus whether to bind to the channel (SCRAM-SHA-256-PLUS); needs {@code tlsServerEndPoint}
     * @param clientNonce the client nonce, printable ASCII without commas
     */
    ScramClientExchange(String username, Secret secret, byte[] tlsServerEndPoint, boolean plus, String clientNonce) {
        this.username = Objects.requireNonNull(username, "username");
        this.secret = Objects.requireNonNull(secret, "secret");
        this.clientNonce = Objects.requireNonNull(clientNonce, "clientNonce");
        if (clientNonce.isEmpty() || !isPrintableWithoutComma(clientNonce)) {
            throw new IllegalArgumentException("nonce must be printable ASCII without commas");
        }
        if (plus) {
            this.channelBindingData = Objects.requireNonNull(tlsServerEndPoint, "tlsServerEndPoint").clone();
            this.gs2Header = "p=tls-server-end-point,,";
        } else {
            this.channelBindingData = null;
            // "y": the client could bind to the channel but the server did not offer it, which lets a
            // server that does support binding detect a downgrade.
            this.gs2Header = tlsServerEndPoint != null ? "y,," : "n,,";
        }
    }

    /** An exchange as PostgreSQL clients run it: empty user name, random nonce. */
    static ScramClientExchange create(Secret secret, byte[] tlsServerEndPoint, boolean plus) {
        byte[] raw = new byte[NONCE_BYTES];
        RANDOM.nextBytes(raw);
        return new ScramClientExchange("", secret, tlsServerEndPoint, plus, Base64.getEncoder().encodeToString(raw));
    }

    String mechanism() {
        return channelBindingData != null ? MECHANISM_PLUS : MECHANISM;
    }

    String clientFirstMessage() {
        expect(State.INITIAL);
        clientFirstBare = "n=" + saslName(username) + ",r=" + clientNonce;
        state = State.FIRST_SENT;
        return gs2Header + clientFirstBare;
    }

    /** Checks the server-first message and computes the client-final one. */
    String clientFinalMessage(byte[] serverFirstBytes) {
        expect(State.FIRST_SENT);
        state = State.DONE;
        String serverFirst = ascii(serverFirstBytes, "server-first-message");
        if (serverFirst.startsWith("m=")) {
            throw new ScramException("the server requires a SCRAM extension this client does not support");
        }
        Cursor cursor = new Cursor(serverFirst, "server-first-message");
        String nonce = cursor.attribute('r');
        String saltText = cursor.attribute('s');
        String iterationText = cursor.attribute('i');
        cursor.end();
        if (nonce.length() <= clientNonce.length() || !nonce.startsWith(clientNonce)) {
            throw new ScramException("malformed SCRAM server-first-message: the nonce does not extend the client's nonce");
        }
        if (!isPrintableWithoutComma(nonce)) {
            throw new ScramException("malformed SCRAM server-first-message: the nonce has characters outside printable ASCII");
        }
        byte[] salt = decodeBase64(saltText, "salt");
        if (salt.length == 0) {
            throw new ScramException("malformed SCRAM server-first-message: the salt is empty");
        }
        int iterations = iterations(iterationText);

        byte[] bindInput = gs2Header.getBytes(StandardCharsets.US_ASCII);
        if (channelBindingData != null) {
            byte[] joined = Arrays.copyOf(bindInput, bindInput.length + channelBindingData.length);
            System.arraycopy(channelBindingData, 0, joined, bindInput.length, channelBindingData.length);
            bindInput = joined;
        }
        String withoutProof = "c=" + Base64.getEncoder().encodeToString(bindInput) + ",r=" + nonce;
        String authMessage = clientFirstBare + "," + serverFirst + "," + withoutProof;

        byte[] clientKey;
        byte[] serverKey;
        if (secret instanceof Secret.Password password) {
            byte[] prepared = SaslPrep.prepare(password.password()).getBytes(StandardCharsets.UTF_8);
            byte[] salted = ScramSha256.hi(prepared, salt, iterations);
            clientKey = ScramSha256.clientKey(salted);
            serverKey = ScramSha256.serverKey(salted);
            Arrays.fill(salted, (byte) 0);
            Arrays.fill(prepared, (byte) 0);
        } else {
            Secret.Keys keys = (Secret.Keys) secret;
            clientKey = keys.clientKey().clone();
            serverKey = keys.serverKey().clone();
        }
        byte[] storedKey = ScramSha256.sha256(clientKey);
        byte[] proof = ScramSha256.xor(clientKey, ScramSha256.hmac(storedKey, authMessage));
        expectedServerSignature = ScramSha256.hmac(serverKey, authMessage);
        Arrays.fill(clientKey, (byte) 0);
        Arrays.fill(serverKey, (byte) 0);
        state = State.FINAL_SENT;
        return withoutProof + ",p=" + Base64.getEncoder().encodeToString(proof);
    }

    /** Checks the server-final message: an error attribute or a wrong signature fails. */
    void verifyServerFinal(byte[] serverFinalBytes) {
        expect(State.FINAL_SENT);
        state = State.DONE;
        String serverFinal = ascii(serverFinalBytes, "server-final-message");
        if (serverFinal.startsWith("e=")) {
            throw new ScramException("the server refused the SCRAM exchange: " + serverFinal.substring(2));
        }
        Cursor cursor = new Cursor(serverFinal, "server-final-message");
        byte[] signature = decodeBase64(cursor.attribute('v'), "server signature");
        cursor.end();
        if (!MessageDigest.isEqual(signature, expectedServerSignature)) {
            throw new ScramException("the server's SCRAM signature is wrong: the server does not know the"
                    + " credential, or something between is not the server");
        }
    }

    private void expect(State expected) {
        if (state != expected) {
            throw new IllegalStateException("SCRAM exchange is " + state + ", not " + expected);
        }
    }

    private static int iterations(String text) {
        if (text.isEmpty() || text.length() > 10 || !text.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new ScramException("malformed SCRAM server-first-message: invalid iteration count");
        }
        long value = Long.parseLong(text);
        if (value < MIN_ITERATIONS || value > MAX_ITERATIONS) {
            throw new ScramException("SCRAM iteration count " + value + " is outside " + MIN_ITERATIONS
                    + ".." + MAX_ITERATIONS);
        }
        return (int) value;
    }

    private static byte[] decodeBase64(String text, String what) {
        try {
            return Base64.getDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            throw new ScramException("malformed SCRAM message: the " + what + " is not base64");
        }
    }

    private static String ascii(byte[] bytes, String what) {
        for (byte b : bytes) {
            if (b < 0x20 || b > 0x7E) {
                throw new ScramException("malformed SCRAM " + what + ": it holds bytes outside printable ASCII");
            }
        }
        return new String(bytes, StandardCharsets.US_ASCII);
    }

    private static boolean isPrintableWithoutComma(String s) {
        return s.chars().allMatch(c -> c >= 0x21 && c <= 0x7E && c != ',');
    }

    private static String saslName(String name) {
        return name.replace("=", "=3D").replace(",", "=2C");
    }

    /** Reads {@code a=value} attributes in a fixed order, as libpq does. */
    private static final class Cursor {
        private final String text;
        private final String what;
        private int position;

        Cursor(String text, String what) {
            this.text = text;
            this.what = what;
        }

        String attribute(char name) {
            if (position > 0) {
                if (position >= text.length() || text.charAt(position) != ',') {
                    throw new ScramException("malformed SCRAM " + what + ": attribute '" + name + "' is missing");
                }
                position++;
            }
            if (position + 1 >= text.length() || text.charAt(position) != name || text.charAt(position + 1) != '=') {
                throw new ScramException("malformed SCRAM " + what + ": expected attribute '" + name + "'");
            }
            int start = position + 2;
            int comma = text.indexOf(',', start);
            int end = comma < 0 ? text.length() : comma;
            position = end;
            return text.substring(start, end);
        }

        void end() {
            if (position != text.length()) {
                throw new ScramException("malformed SCRAM " + what + ": unexpected data after the last attribute");
            }
        }
    }
}
