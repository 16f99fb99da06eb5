package io.pgwarden.plugin.oidc;

import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jose.util.JSONObjectUtils;
import java.util.Map;
import java.util.Optional;

/**
 * What a password looks like, read without trusting it: whether it has the shape of a compact JWS
 * (three base64url parts), and the issuer its payload names, for the metrics' issuer tag.
 */
final class TokenShape {

    private TokenShape() {
    }

    /**
     * Whether the bytes have the shape of a compact JWS: three base64url parts separated by dots, the
     * header and the payload not empty (the signature may be, as with {@code alg: none}). Reads each
     * byte once and allocates nothing, so it is safe on a password of any length.
     *
     * @param password the password
     * @return true when it looks like a JWT
     */
    static boolean looksLikeJwt(byte[] password) {
        int dots = 0;
        int partLength = 0;
        for (byte b : password) {
            if (b == '.') {
                if (partLength == 0 || ++dots > 2) {
                    return false;
                }
                partLength = 0;
            } else if (b >= 'A' && b <= 'Z' || b >= 'a' && b <= 'z' || b >= '0' && b <= '9' || b == '-' || b == '_') {
                partLength++;
            } else {
                return false;
            }
        }
        return dots == 2;
    }

    /**
     * The {@code iss} claim of a JWT's payload, unverified. Only for a token already recognized as one
     * of a configured issuer: the value is a metric tag, never a decision.
     *
     * @param token the token
     * @return the issuer, empty when the payload cannot be read or has none
     */
    static Optional<String> unverifiedIssuer(String token) {
        int first = token.indexOf('.');
        int second = first < 0 ? -1 : token.indexOf('.', first + 1);
        if (second < 0) {
            return Optional.empty();
        }
        try {
            Map<String, Object> payload = JSONObjectUtils.parse(new Base64URL(token.substring(first + 1, second)).decodeToString());
            return payload.get("iss") instanceof String issuer ? Optional.of(issuer) : Optional.empty();
        } catch (java.text.ParseException | RuntimeException e) {
            return Optional.empty();
        }
    }
}
