package io.pgwarden.plugin.oidc;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * The client's OAUTHBEARER messages (RFC 7628 section 3.1), parsed by PostgreSQL 18's rules so that
 * a client sees the same error from pgwarden as from the server: the gs2 header ({@code n,,} or
 * {@code y,,}; channel binding and an authorization identity are refused), the key/value pairs
 * separated by 0x01 with keys of letters only and values of visible characters, space, tab, CR and
 * LF, exactly one {@code auth} pair, a final 0x01 and nothing after it. Unknown keys are ignored.
 * Errors are {@link OAuthBearerViolation}s; none of them quotes the token.
 */
final class OAuthBearerMessage {

    /** The key/value separator. */
    static final byte KVSEP = 0x01;
    /** PostgreSQL's cap on a SASL message of this mechanism, the length word included. */
    static final int MAX_MESSAGE_LENGTH = 65_535;

    private static final String AUTH_KEY = "auth";
    private static final String BEARER_SCHEME = "bearer ";

    private OAuthBearerMessage() {
    }

    /**
     * Parses the client's initial response.
     *
     * @param input the message, never null
     * @return the value of {@code auth}: empty for a discovery request, else the Authorization header
     * @throws OAuthBearerViolation as PostgreSQL 18 refuses the message
     */
    static String authValue(byte[] input) {
        checkLength(input);
        Cursor cursor = new Cursor(input);
        byte flag = cursor.current();
        switch (flag) {
            case 'p' -> throw OAuthBearerViolation.malformed("The server does not support channel binding for OAuth, but the client "
                    + "message includes channel binding data.");
            case 'y', 'n' -> {
                cursor.next();
                if (cursor.current() != ',') {
                    throw OAuthBearerViolation.malformed("Comma expected, but found character \"" + sanitize(cursor.current()) + "\".");
                }
                cursor.next();
            }
            default -> throw OAuthBearerViolation.malformed("Unexpected channel-binding flag \"" + sanitize(flag) + "\".");
        }
        if (cursor.current() == 'a') {
            throw OAuthBearerViolation.of(OAuthBearerViolation.FEATURE_NOT_SUPPORTED,
                    "client uses authorization identity, but it is not supported");
        }
        if (cursor.current() != ',') {
            throw OAuthBearerViolation.malformed("Unexpected attribute \"" + sanitize(cursor.current()) + "\" in client-first-message.");
        }
        cursor.next();
        if (cursor.current() != KVSEP) {
            throw OAuthBearerViolation.malformed("Key-value separator expected, but found character \"" + sanitize(cursor.current())
                    + "\".");
        }
        cursor.next();
        String auth = kvpairs(cursor);
        if (auth == null) {
            throw OAuthBearerViolation.malformed("Message does not contain an auth value.");
        }
        if (!cursor.atEnd()) {
            throw OAuthBearerViolation.malformed("Message contains additional data after the final terminator.");
        }
        return auth;
    }

    /**
     * Checks the client's answer to the error challenge: a single 0x01, the only answer RFC 7628
     * allows.
     *
     * @param input the message
     * @throws OAuthBearerViolation when it is anything else
     */
    static void requireKvsep(byte[] input) {
        checkLength(input);
        if (input.length != 1 || input[0] != KVSEP) {
            throw OAuthBearerViolation.malformed("Client did not send a kvsep response.");
        }
    }

    /**
     * Takes the token out of an Authorization header value: {@code Bearer} (any case), one or more
     * spaces, then a b64token of RFC 6750 (letters, digits, {@code - . _ ~ + /}, then any number
     * of {@code =}). PostgreSQL logs these refusals and answers them like an invalid token.
     *
     * @param header the {@code auth} value, not empty
     * @return the token
     * @throws TokenRejectedException {@code MALFORMED}, with PostgreSQL's log detail (which never quotes the token)
     */
    static String bearerToken(String header) throws TokenRejectedException {
        if (header.length() < BEARER_SCHEME.length()
                || !header.substring(0, BEARER_SCHEME.length()).toLowerCase(Locale.ROOT).equals(BEARER_SCHEME)) {
            throw new TokenRejectedException(TokenRejectedException.Reason.MALFORMED,
                    "Client response indicated a non-Bearer authentication scheme.");
        }
        int start = BEARER_SCHEME.length();
        while (start < header.length() && header.charAt(start) == ' ') {
            start++;
        }
        if (start == header.length()) {
            throw new TokenRejectedException(TokenRejectedException.Reason.MALFORMED, "Bearer token is empty.");
        }
        int end = start;
        while (end < header.length() && isB64TokenChar(header.charAt(end))) {
            end++;
        }
        while (end < header.length() && header.charAt(end) == '=') {
            end++;
        }
        if (end != header.length()) {
            throw new TokenRejectedException(TokenRejectedException.Reason.MALFORMED, "Bearer token is not in the correct format.");
        }
        return header.substring(start);
    }

    /** The length checks PostgreSQL makes before the state machine: empty, then an embedded NUL. */
    private static void checkLength(byte[] input) {
        if (input.length == 0) {
            throw OAuthBearerViolation.malformed("The message is empty.");
        }
        for (byte b : input) {
            if (b == 0) {
                throw OAuthBearerViolation.malformed("Message length does not match input length.");
            }
        }
    }

    /** The pairs after the header's separator; returns the {@code auth} value or null, the cursor after the final 0x01. */
    private static String kvpairs(Cursor cursor) {
        String auth = null;
        byte[] input = cursor.input;
        while (!cursor.atEnd()) {
            int start = cursor.position;
            int end = indexOf(input, KVSEP, start, input.length);
            if (end < 0) {
                throw OAuthBearerViolation.malformed("Message contains an unterminated key/value pair.");
            }
            if (end == start) {
                cursor.position = end + 1;
                return auth;
            }
            int separator = indexOf(input, (byte) '=', start, end);
            if (separator < 0) {
                throw OAuthBearerViolation.malformed("Message contains a key without a value.");
            }
            checkKey(input, start, separator);
            checkValue(input, separator + 1, end);
            String key = new String(input, start, separator - start, StandardCharsets.US_ASCII);
            if (key.equals(AUTH_KEY)) {
                if (auth != null) {
                    throw OAuthBearerViolation.malformed("Message contains multiple auth values.");
                }
                auth = new String(input, separator + 1, end - separator - 1, StandardCharsets.US_ASCII);
            }
            cursor.position = end + 1;
        }
        throw OAuthBearerViolation.malformed("Message did not contain a final terminator.");
    }

    private static void checkKey(byte[] input, int from, int to) {
        if (from == to) {
            throw OAuthBearerViolation.malformed("Message contains an empty key name.");
        }
        for (int i = from; i < to; i++) {
            byte b = input[i];
            if (!(b >= 'a' && b <= 'z') && !(b >= 'A' && b <= 'Z')) {
                throw OAuthBearerViolation.malformed("Message contains an invalid key name.");
            }
        }
    }

    private static void checkValue(byte[] input, int from, int to) {
        for (int i = from; i < to; i++) {
            byte b = input[i];
            boolean visible = b >= 0x21 && b <= 0x7E;
            if (!visible && b != ' ' && b != '\t' && b != '\r' && b != '\n') {
                throw OAuthBearerViolation.malformed("Message contains an invalid value.");
            }
        }
    }

    private static boolean isB64TokenChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || c == '-' || c == '.' || c == '_' || c == '~' || c == '+' || c == '/';
    }

    private static int indexOf(byte[] input, byte wanted, int from, int to) {
        for (int i = from; i < to; i++) {
            if (input[i] == wanted) {
                return i;
            }
        }
        return -1;
    }

    /** A byte as PostgreSQL prints it in these details: {@code 'c'} when printable, else {@code 0x%02x}. */
    static String sanitize(byte b) {
        return b >= 0x21 && b <= 0x7E ? "'" + (char) b + "'" : String.format(Locale.ROOT, "0x%02x", b & 0xFF);
    }

    /** A position in the message; past the end reads as NUL, like the C string PostgreSQL walks. */
    private static final class Cursor {
        private final byte[] input;
        private int position;

        Cursor(byte[] input) {
            this.input = input;
        }

        byte current() {
            return position < input.length ? input[position] : 0;
        }

        void next() {
            position++;
        }

        boolean atEnd() {
            return position >= input.length;
        }
    }
}
