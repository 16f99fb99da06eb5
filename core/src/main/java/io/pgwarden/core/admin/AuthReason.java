package io.pgwarden.core.admin;

import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * Why an authentication ended as it did: the {@code reason} tag of {@code pgwarden.auth.results}.
 * A closed set, so the tag never takes a value a client or a plugin chose.
 */
public enum AuthReason {
    /** Let in, after every plugin's onAuth. */
    OK("success"),
    /** A password the method or the server refused (SQLSTATE 28P01), or no rule's method applied. */
    BAD_PASSWORD("failure"),
    /** A bearer-token method (oidc, oauth) refused the token (SQLSTATE 28000). */
    BAD_TOKEN("failure"),
    /** A method other than a token method refused the identity (SQLSTATE 28000). */
    NOT_AUTHORIZED("failure"),
    /** No auth rule matches the client. */
    NO_RULE("no_rule"),
    /** A plugin's onAuth said no. */
    REJECTED_BY_PLUGIN("refused"),
    /** A connection limit (SQLSTATE 53300). */
    LIMIT("failure"),
    /** The client broke the exchange. */
    PROTOCOL_ERROR("protocol_error"),
    /** The server or a service the method needs could not be reached or failed (SQLSTATE class 08). */
    UNAVAILABLE("failure"),
    /** The auth timeout ran out. */
    TIMEOUT("failure"),
    /** The rule names a method no plugin provides. */
    NO_METHOD("error"),
    /** An internal error (SQLSTATE XX000 or an exception). */
    INTERNAL_ERROR("error"),
    /** A refusal with any other SQLSTATE. */
    OTHER("failure");

    private static final Set<String> TOKEN_METHODS = Set.of("oidc", "oauth");

    private final String tag;
    private final String result;

    AuthReason(String result) {
        this.tag = name().toLowerCase(Locale.ROOT);
        this.result = result;
    }

    /**
     * The tag value: the constant's name in lower case.
     *
     * @return e.g. {@code bad_password}
     */
    public String tag() {
        return tag;
    }

    /**
     * The coarser {@code result} tag: {@code success}, {@code failure}, {@code no_rule}, {@code refused},
     * {@code protocol_error} or {@code error}.
     *
     * @return the result
     */
    public String result() {
        return result;
    }

    /**
     * The reason for a refusal the method or the server gave with a SQLSTATE.
     *
     * @param method the auth rule's method
     * @param sqlState the SQLSTATE the client gets
     * @return the reason
     */
    public static AuthReason ofRefusal(String method, String sqlState) {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(sqlState, "sqlState");
        if (sqlState.equals("28P01")) {
            return BAD_PASSWORD;
        }
        if (sqlState.equals("28000")) {
            return TOKEN_METHODS.contains(method) ? BAD_TOKEN : NOT_AUTHORIZED;
        }
        if (sqlState.equals("53300")) {
            return LIMIT;
        }
        if (sqlState.startsWith("08")) {
            return UNAVAILABLE;
        }
        return sqlState.equals("XX000") ? INTERNAL_ERROR : OTHER;
    }
}
