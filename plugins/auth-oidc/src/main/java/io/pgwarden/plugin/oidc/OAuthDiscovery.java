package io.pgwarden.plugin.oidc;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Objects;

/**
 * What a rule of method {@code oauth} tells a client that asks where to sign in: the issuer, as
 * configured (libpq 18 compares it with its {@code oauth_issuer}), and the scope to ask for. The
 * challenge is PostgreSQL 18's error response, byte for byte.
 *
 * @param issuer the issuer, exactly as configured
 * @param scope the scopes, separated by single spaces
 */
record OAuthDiscovery(String issuer, String scope) {

    private static final String WELL_KNOWN = "/.well-known/";
    private static final String OPENID_CONFIGURATION = "/.well-known/openid-configuration";

    /** Checks for null. */
    OAuthDiscovery {
        Objects.requireNonNull(issuer, "issuer");
        Objects.requireNonNull(scope, "scope");
    }

    /**
     * The discovery document's address: the issuer with {@code /.well-known/openid-configuration},
     * unless the issuer already names a {@code /.well-known/} document.
     *
     * @return the address
     */
    String configurationUrl() {
        return issuer.contains(WELL_KNOWN) ? issuer : issuer + OPENID_CONFIGURATION;
    }

    /**
     * The error challenge of RFC 7628 section 3.2.2 as PostgreSQL 18 writes it:
     * {@code { "status": "invalid_token", "openid-configuration": "...", "scope": "..." }}.
     *
     * @return the challenge's bytes, UTF-8
     */
    byte[] challenge() {
        StringBuilder json = new StringBuilder(96 + issuer.length() + scope.length());
        json.append("{ \"status\": \"invalid_token\", \"openid-configuration\": ");
        appendJsonString(json, configurationUrl());
        json.append(", \"scope\": ");
        appendJsonString(json, scope);
        json.append(" }");
        return json.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Escapes as PostgreSQL's escape_json: the two-character escapes, other control characters as {@code \\u00XX}. */
    private static void appendJsonString(StringBuilder json, String text) {
        json.append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '\b' -> json.append("\\b");
                case '\f' -> json.append("\\f");
                case '\n' -> json.append("\\n");
                case '\r' -> json.append("\\r");
                case '\t' -> json.append("\\t");
                case '"' -> json.append("\\\"");
                case '\\' -> json.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        json.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        json.append(c);
                    }
                }
            }
        }
        json.append('"');
    }
}
