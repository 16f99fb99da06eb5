package io.pgwarden.plugin.scram;

import io.pgwarden.scram.ScramSha256;
import io.pgwarden.scram.ScramVerifier;
import io.pgwarden.spi.AuthProtocolException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.Objects;

/**
 * The server side of one SCRAM-SHA-256(-PLUS) exchange (RFC 5802, RFC 7677) as PostgreSQL runs it
 * ({@code auth-scram.c}): client-first, server-first, client-final, server-final. Pure: no I/O,
 * no PBKDF2 (the verifier already holds StoredKey and ServerKey).
 *
 * <p>Parsing is strict: anything malformed throws {@link AuthProtocolException}, which the core
 * reports as 08P01. Outcomes that are not malformed messages (a downgrade, a channel binding
 * mismatch, a wrong proof) are results. The {@code n=} user name is ignored, as PostgreSQL
 * ignores it: the startup packet's user counts.
 */
final class ScramServerExchange {

    static final String MECHANISM = "SCRAM-SHA-256";
    static final String MECHANISM_PLUS = "SCRAM-SHA-256-PLUS";
    static final String CHANNEL_BINDING_TYPE = "tls-server-end-point";
    /** Longer messages are refused before they are decoded. Real ones are about 100 bytes. */
    static final int MAX_MESSAGE_LENGTH = 4096;

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int NONCE_BYTES = 18;

    /** What a step gave. */
    sealed interface Result permits Challenge, Proven, Refused {
    }

    /**
     * The server-first message to send.
     *
     * @param message the message
     */
    record Challenge(byte[] message) implements Result {
    }

    /**
     * The proof matched.
     *
     * @param serverFinal the server-final message ({@code v=...}) to send
     * @param clientKey the ClientKey the proof revealed
     */
    record Proven(byte[] serverFinal, byte[] clientKey) implements Result {
        @Override
        public String toString() {
            return "Proven[***]";
        }
    }

    /**
     * The exchange failed without a protocol violation.
     *
     * @param refusal why
     */
    record Refused(Refusal refusal) implements Result {
    }

    /** Why a well-formed exchange failed. */
    enum Refusal {
        /** The client chose {@code y}: it supports channel binding but thinks the server does not, while it was offered. */
        DOWNGRADE,
        /** The channel binding data is not that of the proxy's certificate as the proxy sees it. */
        CHANNEL_BINDING_MISMATCH,
        /** The proof does not match the verifier. */
        WRONG_PROOF
    }

    private enum State { AWAITING_CLIENT_FIRST, AWAITING_CLIENT_FINAL, DONE }

    private final ScramVerifier verifier;
    private final boolean plusOffered;
    private final byte[] channelBindingData;
    private final String serverNonceSuffix;
    private State state = State.AWAITING_CLIENT_FIRST;
    private boolean plus;
    private String gs2Header;
    private String clientFirstBare;
    private String serverFirst;
    private String nonce;

    /**
     * Creates an exchange.
     *
     * @param verifier the verifier proofs are checked against
     * @param plusOffered whether SCRAM-SHA-256-PLUS was offered (a {@code y} flag is then a downgrade)
     * @param channelBindingData the tls-server-end-point data of the client's TLS session, or {@code null}
     * @param serverNonceSuffix what the server appends to the client's nonce: printable, no comma
     */
    ScramServerExchange(ScramVerifier verifier, boolean plusOffered, byte[] channelBindingData, String serverNonceSuffix) {
        this.verifier = Objects.requireNonNull(verifier, "verifier");
        this.plusOffered = plusOffered;
        this.channelBindingData = channelBindingData == null ? null : channelBindingData.clone();
        this.serverNonceSuffix = Objects.requireNonNull(serverNonceSuffix, "serverNonceSuffix");
    }

    /**
     * Creates an exchange with a random server nonce: base64 of 18 random bytes.
     *
     * @param verifier the verifier
     * @param plusOffered whether SCRAM-SHA-256-PLUS was offered
     * @param channelBindingData the channel binding data, or {@code null} without TLS
     * @return the exchange
     */
    static ScramServerExchange create(ScramVerifier verifier, boolean plusOffered, byte[] channelBindingData) {
        byte[] random = new byte[NONCE_BYTES];
        RANDOM.nextBytes(random);
        return new ScramServerExchange(verifier, plusOffered, channelBindingData, Base64.getEncoder().encodeToString(random));
    }

    /**
     * Takes the client-first message.
     *
     * @param mechanism the mechanism the client chose
     * @param message the client-first message
     * @return a {@link Challenge} with server-first, or {@link Refused} for a downgrade
     * @throws AuthProtocolException when the message is malformed or does not fit the mechanism
     */
    Result receiveClientFirst(String mechanism, byte[] message) {
        expect(State.AWAITING_CLIENT_FIRST);
        state = State.DONE;
        if (MECHANISM_PLUS.equals(mechanism)) {
            if (channelBindingData == null) {
                throw new AuthProtocolException("client selected SCRAM-SHA-256-PLUS on a connection without SSL");
            }
            plus = true;
        } else if (!MECHANISM.equals(mechanism)) {
            throw new AuthProtocolException("client selected an invalid SASL authentication mechanism");
        }
        MessageReader reader = new MessageReader(decode(message, "client-first-message"));
        char flag = reader.next();
        switch (flag) {
            case 'n', 'y' -> {
                if (plus) {
                    throw malformed("The client selected SCRAM-SHA-256-PLUS, but the SCRAM message does not include channel binding data.");
                }
                reader.expect(',');
                if (flag == 'y' && plusOffered) {
                    return new Refused(Refusal.DOWNGRADE);
                }
            }
            case 'p' -> {
                if (!plus) {
                    throw malformed("The client selected SCRAM-SHA-256 without channel binding, but the SCRAM message includes channel binding data.");
                }
                reader.expect('=');
                String type = reader.valueUntilComma();
                if (!CHANNEL_BINDING_TYPE.equals(type)) {
                    throw new AuthProtocolException("unsupported SCRAM channel-binding type \"" + printable(type) + "\"");
                }
                reader.expect(',');
            }
            default -> throw malformed("Unexpected channel-binding flag \"" + printable(String.valueOf(flag)) + "\".");
        }
        if (reader.peek() == 'a') {
            throw new AuthProtocolException("client uses authorization identity, but it is not supported");
        }
        reader.expect(',');
        gs2Header = reader.consumed();
        clientFirstBare = reader.rest();
        if (reader.peek() == 'm') {
            throw new AuthProtocolException("client requires an unsupported SCRAM extension");
        }
        reader.attribute('n');
        reader.expect(',');
        String clientNonce = reader.attribute('r');
        if (clientNonce.isEmpty() || !clientNonce.chars().allMatch(ScramServerExchange::isPrintable)) {
            throw malformed("The client nonce is empty or contains invalid characters.");
        }
        while (!reader.atEnd()) {
            // Optional extensions after the nonce (RFC 5802 section 7), which PostgreSQL ignores too.
            reader.expect(',');
            reader.anyAttribute();
        }
        nonce = clientNonce + serverNonceSuffix;
        serverFirst = "r=" + nonce + ",s=" + Base64.getEncoder().encodeToString(verifier.salt()) + ",i=" + verifier.iterations();
        state = State.AWAITING_CLIENT_FINAL;
        return new Challenge(serverFirst.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Takes the client-final message and checks channel binding, nonce and proof.
     *
     * @param message the client-final message
     * @return {@link Proven}, or {@link Refused} for a channel binding mismatch or a wrong proof
     * @throws AuthProtocolException when the message is malformed or the nonce differs
     */
    Result receiveClientFinal(byte[] message) {
        expect(State.AWAITING_CLIENT_FINAL);
        state = State.DONE;
        MessageReader reader = new MessageReader(decode(message, "client-final-message"));
        byte[] channelBinding = base64(reader.attribute('c'), "channel binding");
        reader.expect(',');
        String finalNonce = reader.attribute('r');
        String withoutProof = reader.consumed();
        reader.expect(',');
        if (reader.peek() != 'p') {
            throw malformed("Unexpected attribute or extension in client-final-message; expected the proof.");
        }
        byte[] proof = base64(reader.attribute('p'), "proof");
        if (!reader.atEnd()) {
            throw malformed("Garbage found at the end of client-final-message.");
        }
        if (proof.length != ScramSha256.KEY_LENGTH) {
            throw malformed("Malformed proof in client-final-message.");
        }
        byte[] header = gs2Header.getBytes(StandardCharsets.US_ASCII);
        if (plus) {
            byte[] expected = new byte[header.length + channelBindingData.length];
            System.arraycopy(header, 0, expected, 0, header.length);
            System.arraycopy(channelBindingData, 0, expected, header.length, channelBindingData.length);
            if (!MessageDigest.isEqual(expected, channelBinding)) {
                return new Refused(Refusal.CHANNEL_BINDING_MISMATCH);
            }
        } else if (!Arrays.equals(header, channelBinding)) {
            throw new AuthProtocolException("unexpected SCRAM channel-binding attribute in client-final-message");
        }
        if (!MessageDigest.isEqual(nonce.getBytes(StandardCharsets.UTF_8), finalNonce.getBytes(StandardCharsets.UTF_8))) {
            throw new AuthProtocolException("invalid SCRAM response: nonce does not match");
        }
        String authMessage = clientFirstBare + "," + serverFirst + "," + withoutProof;
        byte[] clientSignature = ScramSha256.hmac(verifier.storedKey(), authMessage);
        byte[] clientKey = ScramSha256.xor(proof, clientSignature);
        if (!verifier.matchesClientKey(clientKey)) {
            Arrays.fill(clientKey, (byte) 0);
            return new Refused(Refusal.WRONG_PROOF);
        }
        byte[] serverSignature = ScramSha256.hmac(verifier.serverKey(), authMessage);
        String serverFinal = "v=" + Base64.getEncoder().encodeToString(serverSignature);
        return new Proven(serverFinal.getBytes(StandardCharsets.US_ASCII), clientKey);
    }

    private void expect(State expected) {
        if (state != expected) {
            throw new IllegalStateException("SCRAM exchange is in state " + state + ", not " + expected);
        }
    }

    private static String decode(byte[] message, String what) {
        if (message == null || message.length == 0) {
            throw malformed("The " + what + " is empty.");
        }
        if (message.length > MAX_MESSAGE_LENGTH) {
            throw malformed("The " + what + " is longer than " + MAX_MESSAGE_LENGTH + " bytes.");
        }
        try {
            String text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(message)).toString();
            if (text.indexOf('\0') >= 0) {
                throw malformed("The " + what + " contains a zero byte.");
            }
            return text;
        } catch (CharacterCodingException e) {
            throw malformed("The " + what + " is not valid UTF-8.");
        }
    }

    private static byte[] base64(String value, String what) {
        if (value.length() % 4 != 0) {
            throw malformed("The " + what + " is not valid base64.");
        }
        try {
            return Base64.getDecoder().decode(value);
        } catch (IllegalArgumentException e) {
            throw malformed("The " + what + " is not valid base64.");
        }
    }

    /** printable = %x21-2B / %x2D-7E: visible ASCII except the comma. */
    static boolean isPrintable(int c) {
        return c >= 0x21 && c <= 0x7E && c != ',';
    }

    private static String printable(String text) {
        StringBuilder out = new StringBuilder();
        text.codePoints().limit(32).forEach(c -> out.append(c >= 0x20 && c < 0x7F ? Character.toString(c) : "?"));
        return out.toString();
    }

    static AuthProtocolException malformed(String detail) {
        return new AuthProtocolException("malformed SCRAM message: " + detail);
    }
}
