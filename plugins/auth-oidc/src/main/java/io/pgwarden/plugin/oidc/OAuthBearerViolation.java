package io.pgwarden.plugin.oidc;

import io.pgwarden.spi.AuthProtocolException;
import java.util.Objects;

/**
 * A client message that breaks the OAUTHBEARER grammar, with the error PostgreSQL 18 reports for it:
 * SQLSTATE, message and detail, exactly as its {@code auth-oauth.c} words them.
 */
final class OAuthBearerViolation extends RuntimeException {

    private static final long serialVersionUID = 1L;

    static final String PROTOCOL_VIOLATION = "08P01";
    static final String FEATURE_NOT_SUPPORTED = "0A000";
    static final String MALFORMED = "malformed OAUTHBEARER message";

    private final String sqlState;
    /** Null when PostgreSQL sends none. */
    private final String detail;

    private OAuthBearerViolation(String sqlState, String message, String detail) {
        super(message, null, false, false);
        this.sqlState = Objects.requireNonNull(sqlState, "sqlState");
        this.detail = detail;
    }

    /**
     * A malformed message: {@code 08P01} "malformed OAUTHBEARER message".
     *
     * @param detail PostgreSQL's detail
     * @return the violation
     */
    static OAuthBearerViolation malformed(String detail) {
        return new OAuthBearerViolation(PROTOCOL_VIOLATION, MALFORMED, Objects.requireNonNull(detail, "detail"));
    }

    /**
     * A violation with its own message and no detail.
     *
     * @param sqlState the SQLSTATE
     * @param message the message
     * @return the violation
     */
    static OAuthBearerViolation of(String sqlState, String message) {
        return new OAuthBearerViolation(sqlState, message, null);
    }

    String sqlState() {
        return sqlState;
    }

    /** The detail, or {@code null}. */
    String detail() {
        return detail;
    }

    /** As the core reports a protocol violation: FATAL 08P01 with the message and the detail. */
    AuthProtocolException toProtocolException() {
        return new AuthProtocolException(getMessage(), detail);
    }
}
