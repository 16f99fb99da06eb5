package io.pgwarden.it.keycloak;

import java.io.IOException;
import java.net.CookieHandler;
import java.net.CookieManager;
import java.net.CookiePolicy;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Map;

/**
 * A cookie jar that treats {@code http://127.0.0.1} and {@code http://localhost} as secure, as browsers do (they are
 * "potentially trustworthy" origins): Keycloak marks its login cookies {@code Secure} even over plain HTTP, and the
 * JDK's {@link CookieManager} alone would never send them back, so every login would end on "cookie not found".
 */
final class LoopbackCookieHandler extends CookieHandler {

    private final CookieManager cookies = new CookieManager(null, CookiePolicy.ACCEPT_ALL);

    /** The cookies for {@code uri}, with {@code Secure} ones included on a loopback address. */
    @Override
    public Map<String, List<String>> get(URI uri, Map<String, List<String>> requestHeaders) throws IOException {
        return cookies.get(KeycloakBrowser.isLoopback(uri) ? asHttps(uri) : uri, requestHeaders);
    }

    /** Keeps the cookies {@code uri} set. */
    @Override
    public void put(URI uri, Map<String, List<String>> responseHeaders) throws IOException {
        cookies.put(uri, responseHeaders);
    }

    private static URI asHttps(URI uri) {
        try {
            return new URI("https", uri.getUserInfo(), uri.getHost(), uri.getPort(), uri.getPath(), null, null);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("not a URI: " + uri, e);
        }
    }
}
