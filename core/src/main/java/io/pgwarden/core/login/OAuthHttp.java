package io.pgwarden.core.login;

import com.nimbusds.oauth2.sdk.http.HTTPRequest;
import com.nimbusds.oauth2.sdk.http.HTTPResponse;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URL;
import java.net.UnknownHostException;
import java.time.Duration;
import javax.net.ssl.SSLException;

/**
 * Sends the login's HTTP requests to the identity provider with timeouts, and turns a network failure into a message
 * that names the URL and says what failed (refused, unknown host, no answer, TLS). Only {@code https://} is used,
 * except to the loopback address, where a test or a local provider has no certificate.
 */
final class OAuthHttp {

    /** How long to wait for a connection and for an answer. */
    static final Duration TIMEOUT = Duration.ofSeconds(10);

    private OAuthHttp() {
    }

    /**
     * Sends a request.
     *
     * @param request the request (its timeouts are set here)
     * @return the response, whatever its status
     * @throws LoginException when no response arrives
     */
    static HTTPResponse send(HTTPRequest request) {
        request.setConnectTimeout((int) TIMEOUT.toMillis());
        request.setReadTimeout((int) TIMEOUT.toMillis());
        request.setFollowRedirects(false);
        try {
            return request.send();
        } catch (IOException e) {
            throw unreachable(request.getURL(), e);
        }
    }

    /**
     * The failure to show when a request found no answer.
     *
     * @param url the request's URL
     * @param e what went wrong
     * @return a failure naming the URL and what failed
     */
    static LoginException unreachable(URL url, IOException e) {
        if (e instanceof UnknownHostException) {
            return new LoginException("cannot reach " + url + ": unknown host " + url.getHost()
                    + "; check the issuer and your network (DNS, VPN)", e);
        }
        if (e instanceof ConnectException || e instanceof NoRouteToHostException) {
            return new LoginException("cannot reach " + url + ": connection refused or no route; check the issuer and"
                    + " your network (VPN, proxy)", e);
        }
        if (e instanceof SocketTimeoutException) {
            return new LoginException("no answer from " + url + " within " + TIMEOUT.toSeconds() + " s; check your"
                    + " network (VPN, proxy)", e);
        }
        if (e instanceof SSLException) {
            return new LoginException("TLS with " + url + " failed: " + e.getMessage() + "; is the provider's"
                    + " certificate trusted by this Java (its cacerts, or -Djavax.net.ssl.trustStore in JAVA_OPTS)?", e);
        }
        return new LoginException("cannot reach " + url + ": " + e.getMessage(), e);
    }

    /**
     * Checks that a URL of the provider may be used: {@code https://}, or {@code http://} to a loopback address.
     *
     * @param what what the URL is, for the message
     * @param url the URL
     * @return the URL
     * @throws LoginException otherwise
     */
    static URI checkSecure(String what, URI url) {
        if ("https".equalsIgnoreCase(url.getScheme())) {
            return url;
        }
        if ("http".equalsIgnoreCase(url.getScheme()) && loopback(url.getHost())) {
            return url;
        }
        throw new LoginException(what + " " + url + " is not https://: tokens would cross the network unencrypted"
                + " (http:// is accepted only to localhost, 127.0.0.1 and ::1)");
    }

    private static boolean loopback(String host) {
        if (host == null) {
            return false;
        }
        String bare = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        if ("localhost".equalsIgnoreCase(bare)) {
            return true;
        }
        // Only literal addresses: a name is not looked up, so DNS cannot make a remote host look local.
        if (!bare.matches("[0-9.]+|[0-9A-Fa-f:]+")) {
            return false;
        }
        try {
            return InetAddress.getByName(bare).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
