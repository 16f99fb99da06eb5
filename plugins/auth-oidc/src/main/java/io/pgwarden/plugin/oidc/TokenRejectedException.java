package io.pgwarden.plugin.oidc;

import java.util.Objects;

/**
 * A token was refused. The message is for the log and the metrics; it never holds the token. The
 * client sees one text per {@link Reason} family (see OidcAuthenticator).
 */
final class TokenRejectedException extends Exception {

    private static final long serialVersionUID = 1L;

    /** Why a token was refused; also the {@code reason} tag of the failure metric. */
    enum Reason {
        /** Larger than {@code max_token_size}. */
        TOO_LARGE("too_large"),
        /** Not a signed JWT, or not parseable. */
        MALFORMED("malformed"),
        /** Its {@code iss} is not a configured issuer. */
        UNKNOWN_ISSUER("unknown_issuer"),
        /** Its algorithm is not allowed ({@code none}, HMAC, or not in {@code algorithms}). */
        ALGORITHM_NOT_ALLOWED("algorithm"),
        /** No key with its {@code kid}, even after a (rate-limited) refresh. */
        UNKNOWN_KEY("unknown_key"),
        /** The signature does not verify. */
        BAD_SIGNATURE("signature"),
        /** {@code exp} is past (beyond the allowed skew). */
        EXPIRED("expired"),
        /** {@code nbf} is in the future (beyond the allowed skew). */
        NOT_YET_VALID("not_yet_valid"),
        /** The audience does not match. */
        WRONG_AUDIENCE("audience"),
        /** A required claim ({@code exp}, {@code nbf} when required, the role claim...) is missing. */
        MISSING_CLAIM("missing_claim"),
        /** A required scope is missing. */
        MISSING_SCOPE("scope"),
        /** The issuer's keys cannot be fetched and none are cached. */
        KEYS_UNAVAILABLE("keys_unavailable");

        private final String tag;

        Reason(String tag) {
            this.tag = tag;
        }

        /**
         * The metric tag.
         *
         * @return the tag
         */
        String tag() {
            return tag;
        }
    }

    private final Reason reason;

    TokenRejectedException(Reason reason, String message) {
        super(message);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    TokenRejectedException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    Reason reason() {
        return reason;
    }
}
