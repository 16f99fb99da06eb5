package io.pgwarden.core.login;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The settings of one login profile: whom to sign in with (issuer, client id, scopes) and where the proxy is (host,
 * port, sslmode, dbname, user). Any field may be null: a profile is assembled from flags, the environment and the
 * profile file, each filling in what the ones before left open ({@link #orElse(LoginProfile)}).
 *
 * @param issuer the OpenID provider's issuer, exactly as in its tokens
 * @param clientId the public client registered for the command line
 * @param scopes the scopes to ask for
 * @param host the proxy's host
 * @param port the proxy's port
 * @param sslmode libpq's sslmode for the proxy
 * @param dbname the database
 * @param user the database user
 */
public record LoginProfile(URI issuer, String clientId, List<String> scopes, String host, Integer port, String sslmode,
                           String dbname, String user) {

    /** The scopes asked for when none are configured. */
    public static final List<String> DEFAULT_SCOPES = List.of("openid");

    /** libpq's sslmode values. */
    static final Set<String> SSL_MODES = Set.of("disable", "allow", "prefer", "require", "verify-ca", "verify-full");

    /** A profile name: also a file name, so no separators, no dot first. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}");

    /** A profile with no settings. */
    public static final LoginProfile EMPTY = new LoginProfile(null, null, null, null, null, null, null, null);

    /**
     * A profile; the scopes are copied.
     */
    public LoginProfile {
        scopes = scopes == null ? null : List.copyOf(scopes);
    }

    /**
     * Each field of this profile, or where it is null, of {@code fallback}.
     *
     * @param fallback the profile that fills in
     * @return the merged profile
     */
    public LoginProfile orElse(LoginProfile fallback) {
        return new LoginProfile(first(issuer, fallback.issuer), first(clientId, fallback.clientId),
                first(scopes, fallback.scopes), first(host, fallback.host), first(port, fallback.port),
                first(sslmode, fallback.sslmode), first(dbname, fallback.dbname), first(user, fallback.user));
    }

    /**
     * The scopes to ask for: the configured ones, or {@link #DEFAULT_SCOPES}.
     *
     * @return the scopes
     */
    public List<String> scopesOrDefault() {
        return scopes == null || scopes.isEmpty() ? DEFAULT_SCOPES : scopes;
    }

    /**
     * Checks a profile name.
     *
     * @param name the name
     * @return the name
     * @throws LoginException when it is not a name a profile may have
     */
    public static String checkName(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new LoginException("the profile name '" + name + "' is not valid: use 1-64 letters, digits, '_', '.'"
                    + " or '-', not starting with '.' or '-'");
        }
        return name;
    }

    /**
     * Reads an issuer as written in a flag, variable or file.
     *
     * @param where where it was written, for the message
     * @param text the issuer
     * @return the issuer
     * @throws LoginException when it is not an absolute http(s) URL
     */
    public static URI parseIssuer(String where, String text) {
        try {
            URI uri = new URI(text.trim());
            if (uri.getHost() == null || !("https".equals(uri.getScheme()) || "http".equals(uri.getScheme()))
                    || uri.getRawQuery() != null || uri.getRawFragment() != null) {
                throw new LoginException(where + ": expected the issuer as an https:// URL without query or fragment,"
                        + " found '" + text + "'");
            }
            return uri;
        } catch (URISyntaxException e) {
            throw new LoginException(where + ": '" + text + "' is not a URL (" + e.getReason() + ")", e);
        }
    }

    /**
     * Reads a port.
     *
     * @param where where it was written, for the message
     * @param text the port
     * @return the port, 1-65535
     * @throws LoginException when it is not a port
     */
    public static int parsePort(String where, String text) {
        try {
            int port = Integer.parseInt(text.trim());
            if (port >= 1 && port <= 65_535) {
                return port;
            }
        } catch (NumberFormatException e) {
            // reported below with the text as written
        }
        throw new LoginException(where + ": expected a port 1-65535, found '" + text + "'");
    }

    /**
     * Reads an sslmode.
     *
     * @param where where it was written, for the message
     * @param text the mode
     * @return the mode
     * @throws LoginException when libpq has no such mode
     */
    public static String parseSslmode(String where, String text) {
        String mode = text.trim();
        if (!SSL_MODES.contains(mode)) {
            throw new LoginException(where + ": expected one of disable, allow, prefer, require, verify-ca,"
                    + " verify-full, found '" + text + "'");
        }
        return mode;
    }

    /**
     * Reads scopes written as one string, separated by spaces or commas.
     *
     * @param text the scopes
     * @return the scopes
     */
    public static List<String> parseScopes(String text) {
        return Arrays.stream(text.split("[\\s,]+")).filter(scope -> !scope.isEmpty()).toList();
    }

    private static <T> T first(T value, T fallback) {
        return value != null ? value : fallback;
    }
}
