package io.pgwarden.it.keycloak;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A person at a browser: follows redirects, fills Keycloak's login form, confirms the device code.
 *
 * <p>The JDK's HTTP client with its own cookie jar and no automatic redirects, so every hop is seen: a redirect to a
 * loopback address ends a sign-in. Pages are told apart by Keycloak's {@code data-page-id}; a page this browser does
 * not expect (an error, a required action) ends the attempt with an exception that quotes what the page says.
 * The password only ever goes into the login form's body.
 */
public final class KeycloakBrowser {

    private static final int MAX_HOPS = 20;
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final Set<String> LOOPBACK_HOSTS = Set.of("127.0.0.1", "localhost", "[::1]");
    private static final String LOGIN_PAGE = "login-login";
    private static final String CONSENT_PAGE = "login-login-oauth-grant";
    private static final String USER_CODE_PAGE = "login-login-oauth2-device-verify-user-code";
    private static final String INFO_PAGE = "login-info";
    private static final String DEVICE_SUCCESS_TITLE = "Device Login Successful";

    private final HttpClient http = HttpClient.newBuilder()
            .cookieHandler(new LoopbackCookieHandler())
            .followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    /** A browser with an empty cookie jar; made by {@link KeycloakServer#browser()}. */
    KeycloakBrowser() {
    }

    /**
     * Opens the authorization URL, signs in, follows redirects until one goes to a loopback address (http://127.0.0.1 or
     * http://localhost); requests that last URL too (delivering the code to the CLI's loopback listener) and returns it.
     */
    public URI signIn(URI authorizationUrl, String username, String password) {
        Objects.requireNonNull(username, "username");
        Objects.requireNonNull(password, "password");
        Hop hop = get(Objects.requireNonNull(authorizationUrl, "authorizationUrl"));
        boolean credentialsSent = false;
        for (int i = 0; i < MAX_HOPS; i++) {
            Optional<URI> redirect = hop.redirect();
            if (redirect.isPresent()) {
                if (isLoopback(redirect.get())) {
                    deliver(redirect.get());
                    return redirect.get();
                }
                hop = get(redirect.get());
                continue;
            }
            HtmlPage page = hop.page();
            switch (page.pageId()) {
                case LOGIN_PAGE -> {
                    if (credentialsSent) {
                        throw refused(username, page);
                    }
                    hop = logIn(page, username, password);
                    credentialsSent = true;
                }
                case CONSENT_PAGE -> hop = submit(page, "", Map.of(), "accept");
                default -> throw new IllegalStateException("Keycloak did not sign " + username + " in: " + page.describe());
            }
        }
        throw new IllegalStateException("Keycloak did not redirect to a loopback address within " + MAX_HOPS + " hops from "
                + authorizationUrl);
    }

    /**
     * Opens verification_uri_complete, signs in if asked, confirms the code ("Yes"/consent as Keycloak shows); throws
     * with the page text when Keycloak shows an error.
     */
    public void approveDevice(URI verificationUriComplete, String username, String password) {
        Objects.requireNonNull(username, "username");
        Objects.requireNonNull(password, "password");
        Hop hop = get(Objects.requireNonNull(verificationUriComplete, "verificationUriComplete"));
        boolean credentialsSent = false;
        for (int i = 0; i < MAX_HOPS; i++) {
            Optional<URI> redirect = hop.redirect();
            if (redirect.isPresent()) {
                hop = get(redirect.get());
                continue;
            }
            HtmlPage page = hop.page();
            switch (page.pageId()) {
                case LOGIN_PAGE -> {
                    if (credentialsSent) {
                        throw refused(username, page);
                    }
                    hop = logIn(page, username, password);
                    credentialsSent = true;
                }
                case CONSENT_PAGE -> hop = submit(page, "", Map.of(), "accept");
                case USER_CODE_PAGE -> throw new IllegalStateException("Keycloak did not take the user code: " + page.describe());
                case INFO_PAGE -> {
                    if (page.title().equals(DEVICE_SUCCESS_TITLE)) {
                        return;
                    }
                    throw new IllegalStateException("Keycloak did not approve the device: " + page.describe());
                }
                default -> throw new IllegalStateException("Keycloak did not approve the device: " + page.describe());
            }
        }
        throw new IllegalStateException("Keycloak did not finish the device approval within " + MAX_HOPS + " hops from "
                + verificationUriComplete);
    }

    private Hop logIn(HtmlPage page, String username, String password) {
        return submit(page, "kc-form-login", Map.of("username", username, "password", password), "login");
    }

    private static IllegalStateException refused(String username, HtmlPage page) {
        return new IllegalStateException("Keycloak refused the sign-in of " + username + ": " + page.describe());
    }

    /** Submits the form with this id (any id when empty, if the page has exactly one form). */
    private Hop submit(HtmlPage page, String formId, Map<String, String> filledIn, String button) {
        HtmlForm form = formId.isEmpty() && page.forms().size() == 1
                ? page.forms().get(0)
                : page.form(formId).orElseThrow(() -> new IllegalStateException("no form '" + formId + "' on " + page.describe()));
        if (!form.method().equals("POST")) {
            throw new IllegalStateException("form '" + form.id() + "' is sent with " + form.method() + ", not POST: " + page.describe());
        }
        HttpRequest request = request(form.action())
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form.body(filledIn, button)))
                .build();
        return send(request);
    }

    private Hop get(URI uri) {
        return send(request(uri).GET().build());
    }

    private static HttpRequest.Builder request(URI uri) {
        return HttpRequest.newBuilder(uri).timeout(TIMEOUT).header("Accept-Language", "en");
    }

    /** Requests the loopback URL the sign-in ended at, as the browser would, whatever the listener answers. */
    private void deliver(URI loopback) {
        try {
            http.send(request(loopback).GET().build(), HttpResponse.BodyHandlers.discarding());
        } catch (IOException e) {
            throw new UncheckedIOException("the loopback listener at " + loopback.getHost() + ":" + loopback.getPort()
                    + " did not answer the redirect", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while delivering the redirect", e);
        }
    }

    private Hop send(HttpRequest request) {
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            return new Hop(request.uri(), response);
        } catch (IOException e) {
            throw new UncheckedIOException("Keycloak did not answer " + request.method() + " " + withoutQuery(request.uri()), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted during " + request.method() + " " + withoutQuery(request.uri()), e);
        }
    }

    /** Whether {@code uri} is plain HTTP to a loopback name or address (127.0.0.1, localhost, [::1]). */
    static boolean isLoopback(URI uri) {
        return "http".equals(uri.getScheme()) && uri.getHost() != null
                && LOOPBACK_HOSTS.contains(uri.getHost().toLowerCase(Locale.ROOT));
    }

    private static String withoutQuery(URI uri) {
        return uri.getScheme() + "://" + uri.getRawAuthority() + uri.getRawPath();
    }

    /** One response: a redirect to follow or a page to read. */
    private record Hop(URI uri, HttpResponse<String> response) {

        Optional<URI> redirect() {
            int status = response.statusCode();
            if (status < 300 || status > 399) {
                return Optional.empty();
            }
            String location = response.headers().firstValue("Location")
                    .orElseThrow(() -> new IllegalStateException("redirect " + status + " without Location from " + withoutQuery(uri)));
            return Optional.of(uri.resolve(location));
        }

        HtmlPage page() {
            return HtmlPage.parse(uri, response.body());
        }
    }
}
