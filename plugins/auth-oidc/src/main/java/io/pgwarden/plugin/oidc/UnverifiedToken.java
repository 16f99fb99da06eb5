package io.pgwarden.plugin.oidc;

import com.nimbusds.jose.util.JSONObjectUtils;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;

/**
 * A token's header {@code alg} and payload {@code iss}, read WITHOUT verifying anything: only to
 * route the token to an issuer and to refuse a disallowed algorithm before a key is chosen. Every
 * input is a stranger's, so nothing here throws.
 *
 * @param algorithm the header's {@code alg} when it is a string, else null
 * @param issuer the payload's {@code iss} when it is a string, else null
 */
record UnverifiedToken(String algorithm, String issuer) {

    /**
     * Whether the text has the shape of a compact JWS: three parts separated by dots, made of base64url
     * characters without padding, the header and the payload not empty (the signature may be, as with
     * {@code alg: none}). Allocates nothing.
     *
     * @param token the text
     * @return true when it has that shape
     */
    static boolean hasJwsShape(String token) {
        int dots = 0;
        int partLength = 0;
        for (int i = 0; i < token.length(); i++) {
            char c = token.charAt(i);
            if (c == '.') {
                if (partLength == 0 || ++dots > 2) {
                    return false;
                }
                partLength = 0;
            } else if (c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
                partLength++;
            } else {
                return false;
            }
        }
        return dots == 2;
    }

    /**
     * Decodes the header and the payload of a token that {@linkplain #hasJwsShape has the shape}.
     *
     * @param token the token
     * @return the unverified values, or null when the header or the payload is not a JSON object
     */
    static UnverifiedToken read(String token) {
        int first = token.indexOf('.');
        int second = token.indexOf('.', first + 1);
        if (first <= 0 || second <= first + 1) {
            return null;
        }
        try {
            Map<String, Object> header = json(token.substring(0, first));
            Map<String, Object> payload = json(token.substring(first + 1, second));
            if (header == null || payload == null) {
                return null;
            }
            return new UnverifiedToken(header.get("alg") instanceof String alg ? alg : null,
                    payload.get("iss") instanceof String iss ? iss : null);
        } catch (RuntimeException | StackOverflowError e) {
            // A stranger's bytes: a parser failing in an unexpected way means "not a token", never a crash.
            return null;
        }
    }

    private static Map<String, Object> json(String part) {
        try {
            return JSONObjectUtils.parse(new String(Base64.getUrlDecoder().decode(part), StandardCharsets.UTF_8));
        } catch (java.text.ParseException | IllegalArgumentException e) {
            return null;
        }
    }
}
