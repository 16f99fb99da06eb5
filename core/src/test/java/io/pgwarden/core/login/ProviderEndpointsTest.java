package io.pgwarden.core.login;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Discovery against a small HTTP server on the loopback address that serves a chosen document. */
class ProviderEndpointsTest {

    private HttpServer server;
    private volatile int status = 200;
    private volatile String document = "{}";

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 0);
        server.createContext("/realms/main/.well-known/openid-configuration", exchange -> {
            byte[] body = document.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private URI issuer() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/realms/main");
    }

    private String documentOf(String issuer) {
        return """
                {"issuer": "%1$s", "authorization_endpoint": "%1$s/auth", "token_endpoint": "%1$s/token",
                 "device_authorization_endpoint": "%1$s/device", "revocation_endpoint": "%1$s/revoke"}
                """.formatted(issuer);
    }

    @Test
    void theDocumentOfTheIssuerGivesTheEndpoints() {
        document = documentOf(issuer().toString());
        ProviderEndpoints endpoints = ProviderEndpoints.discover(issuer());
        assertThat(endpoints).isEqualTo(new ProviderEndpoints(issuer(), URI.create(issuer() + "/auth"),
                URI.create(issuer() + "/token"), URI.create(issuer() + "/device"), URI.create(issuer() + "/revoke")));
    }

    @Test
    void aDocumentNamingAnotherIssuerIsAWrongIssuer() {
        document = documentOf("https://login.example.com/realms/main");
        assertThatThrownBy(() -> ProviderEndpoints.discover(issuer())).isInstanceOf(LoginException.class)
                .hasMessage("wrong issuer: " + issuer() + "/.well-known/openid-configuration names the issuer"
                        + " https://login.example.com/realms/main, not " + issuer() + "; give exactly the issuer of the"
                        + " provider's tokens (scheme, host, port, path, trailing slash)");
    }

    @Test
    void aTrailingSlashMakesAnotherIssuer() {
        document = documentOf(issuer().toString());
        URI withSlash = URI.create(issuer() + "/");
        assertThatThrownBy(() -> ProviderEndpoints.discover(withSlash)).hasMessageStartingWith("wrong issuer: ");
    }

    @Test
    void noDocumentAtTheIssuerIsAWrongIssuer() {
        URI other = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/realms/other");
        assertThatThrownBy(() -> ProviderEndpoints.discover(other))
                .hasMessageStartingWith("wrong issuer? " + other + "/.well-known/openid-configuration answered HTTP 404;");
    }

    @Test
    void aPageThatIsNotADiscoveryDocumentIsRefused() {
        document = "<html><body>Sign in to the captive portal</body></html>";
        assertThatThrownBy(() -> ProviderEndpoints.discover(issuer()))
                .hasMessageStartingWith("wrong issuer? " + issuer() + "/.well-known/openid-configuration is not an OpenID"
                        + " provider configuration");
    }

    @Test
    void aDocumentWithoutTokenEndpointIsRefused() {
        document = "{\"issuer\": \"" + issuer() + "\"}";
        assertThatThrownBy(() -> ProviderEndpoints.discover(issuer())).hasMessageStartingWith("the provider " + issuer()
                + " names no token_endpoint");
    }

    @Test
    void anEndpointOverPlainHttpToAnotherHostIsRefused() {
        document = documentOf(issuer().toString()).replace(issuer() + "/token", "http://login.example.com/token");
        assertThatThrownBy(() -> ProviderEndpoints.discover(issuer()))
                .hasMessageStartingWith("the provider's token_endpoint http://login.example.com/token is not https://");
    }

    @Test
    void theDocumentIsAtTheIssuersPathPlusWellKnown() {
        assertThat(ProviderEndpoints.discoveryUrl(URI.create("https://a.example.com/tenant/v2.0/")))
                .hasToString("https://a.example.com/tenant/v2.0/.well-known/openid-configuration");
        assertThat(ProviderEndpoints.discoveryUrl(URI.create("https://a.example.com")))
                .hasToString("https://a.example.com/.well-known/openid-configuration");
    }
}
