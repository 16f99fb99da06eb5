package io.pgwarden.plugin.oidc;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class OAuthDiscoveryTest {

    @Test
    void theChallengeIsPostgresqlsJsonByteForByte() {
        OAuthDiscovery discovery = new OAuthDiscovery("https://issuer.example", "openid pgwarden");

        assertThat(new String(discovery.challenge(), StandardCharsets.UTF_8)).isEqualTo("{ \"status\": \"invalid_token\", "
                + "\"openid-configuration\": \"https://issuer.example/.well-known/openid-configuration\", "
                + "\"scope\": \"openid pgwarden\" }");
    }

    @Test
    void anIssuerThatNamesAWellKnownDocumentIsUsedAsIs() {
        OAuthDiscovery discovery = new OAuthDiscovery("https://issuer.example/.well-known/oauth-authorization-server", "openid");

        assertThat(discovery.configurationUrl()).isEqualTo("https://issuer.example/.well-known/oauth-authorization-server");
        assertThat(new OAuthDiscovery("https://issuer.example/realms/main", "openid").configurationUrl())
                .isEqualTo("https://issuer.example/realms/main/.well-known/openid-configuration");
    }

    @Test
    void stringsAreEscapedAsPostgresqlsEscapeJson() {
        OAuthDiscovery discovery = new OAuthDiscovery("https://i.example/a\"b\\c", "x\ty\n\u0001");

        assertThat(new String(discovery.challenge(), StandardCharsets.UTF_8)).isEqualTo("{ \"status\": \"invalid_token\", "
                + "\"openid-configuration\": \"https://i.example/a\\\"b\\\\c/.well-known/openid-configuration\", "
                + "\"scope\": \"x\\ty\\n\\u0001\" }");
    }
}
