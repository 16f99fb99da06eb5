package io.pgwarden.core.login;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URL;
import java.net.UnknownHostException;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;

class OAuthHttpTest {

    @Test
    void httpsIsAccepted() {
        URI url = URI.create("https://login.example.com/realms/main");
        assertThat(OAuthHttp.checkSecure("the issuer", url)).isSameAs(url);
    }

    @Test
    void plainHttpIsAcceptedOnlyToLoopback() {
        for (String loopback : new String[] {"http://localhost:8080/realms/x", "http://127.0.0.1:8080", "http://127.9.9.9",
            "http://[::1]:8080/x"}) {
            assertThat(OAuthHttp.checkSecure("the issuer", URI.create(loopback))).hasToString(loopback);
        }
        for (String remote : new String[] {"http://login.example.com/realms/main", "http://10.0.0.5:8080",
            "http://127.0.0.1.nip.io/", "http://localhost.example.com/", "ftp://127.0.0.1/"}) {
            assertThatThrownBy(() -> OAuthHttp.checkSecure("the issuer", URI.create(remote)))
                    .isInstanceOf(LoginException.class)
                    .hasMessage("the issuer " + remote + " is not https://: tokens would cross the network unencrypted"
                            + " (http:// is accepted only to localhost, 127.0.0.1 and ::1)");
        }
    }

    @Test
    void eachNetworkFailureNamesTheUrlAndWhatFailed() throws Exception {
        URL url = URI.create("https://login.example.com/realms/main/.well-known/openid-configuration").toURL();
        assertThat(OAuthHttp.unreachable(url, new UnknownHostException("login.example.com")).getMessage())
                .isEqualTo("cannot reach " + url + ": unknown host login.example.com; check the issuer and your network"
                        + " (DNS, VPN)");
        assertThat(OAuthHttp.unreachable(url, new ConnectException("Connection refused")).getMessage())
                .isEqualTo("cannot reach " + url + ": connection refused or no route; check the issuer and your network"
                        + " (VPN, proxy)");
        assertThat(OAuthHttp.unreachable(url, new SocketTimeoutException("Read timed out")).getMessage())
                .isEqualTo("no answer from " + url + " within 10 s; check your network (VPN, proxy)");
        assertThat(OAuthHttp.unreachable(url, new SSLHandshakeException("PKIX path building failed")).getMessage())
                .startsWith("TLS with " + url + " failed: PKIX path building failed; is the provider's certificate trusted");
        assertThat(OAuthHttp.unreachable(url, new IOException("stream closed")).getMessage())
                .isEqualTo("cannot reach " + url + ": stream closed");
    }

    @Test
    void aClosedPortIsReportedAsRefused() throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        URI issuer = URI.create("http://127.0.0.1:" + port + "/realms/main");
        assertThatThrownBy(() -> ProviderEndpoints.discover(issuer)).isInstanceOf(LoginException.class)
                .hasMessage("cannot reach http://127.0.0.1:" + port + "/realms/main/.well-known/openid-configuration:"
                        + " connection refused or no route; check the issuer and your network (VPN, proxy)");
    }
}
