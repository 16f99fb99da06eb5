package io.pgwarden.it.oidc;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgwarden.testkit.Closeables;
import io.pgwarden.testkit.EmbeddedPostgres;
import io.pgwarden.testkit.LeakCheckExtension;
import io.pgwarden.testkit.LogCapture;
import io.pgwarden.testkit.PasswordEncryption;
import io.pgwarden.testkit.ProxyFixture;
import io.pgwarden.testkit.TestCertificates;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * SASL OAUTHBEARER through pgwarden (method {@code oauth}, real auth-oidc plugin jar, TLS, a real OIDC provider) checked
 * against what a real PostgreSQL 18.6 server sent for the same client bytes. The fixtures under
 * {@code oauth-golden/} were captured by bench/oauth-golden/capture.sh from PostgreSQL 18.6 with the pg_hba line
 * {@code oauth issuer="https://issuer.example" scope="openid pgwarden"} and a validator module that accepts one fixed
 * token; each test replays one fixture's client messages to pgwarden, in order, and compares what comes back:
 *
 * <ul>
 *   <li>the order and types of the server's messages, and whether the connection is closed at the end;</li>
 *   <li>AuthenticationSASL and AuthenticationSASLContinue byte for byte, after putting pgwarden's issuer (the mock
 *       provider's {@code http://127.0.0.1:PORT/golden}) in place of the fixture's {@code https://issuer.example};</li>
 *   <li>ErrorResponse by the fields S, V, C, M and D only: PostgreSQL adds F, L and R (its source file, line and
 *       function), which a proxy has no reason to imitate;</li>
 *   <li>a successful exchange: PostgreSQL's validator accepted a fixed string while pgwarden needs a real token of the
 *       provider, so the client messages carry a freshly issued token instead (the SASLInitialResponse's length
 *       rewritten to match), and the check is that AuthenticationOk follows the token at once, with no
 *       AuthenticationSASLFinal, and the login reaches ReadyForQuery without another Authentication or
 *       ErrorResponse (ParameterStatus and BackendKeyData come from pgwarden's backend, not compared);</li>
 *   <li>{@code oversize}: only the first 64 bytes of a SASLInitialResponse whose length field says 65569 are sent;
 *       PostgreSQL refuses on the length field alone, so pgwarden must too rather than wait for the body.</li>
 * </ul>
 */
@ExtendWith(LeakCheckExtension.class)
class OAuthBearerGoldenIT {

    private static final String USER = "golden";
    private static final String SERVICE = "svc_golden";
    private static final String SERVICE_PASSWORD = "svc-Golden-6tQ9w";

    private static LogCapture log;
    private static TestCertificates certificates;
    private static EmbeddedPostgres postgres;
    private static OidcFixture provider;
    private static OidcPluginFixture plugin;
    private static ProxyFixture proxy;

    @BeforeAll
    static void start() {
        log = LogCapture.start();
        certificates = TestCertificates.create();
        postgres = EmbeddedPostgres.builder()
                .hba("host all all 127.0.0.1/32 scram-sha-256")
                .role(SERVICE, SERVICE_PASSWORD, PasswordEncryption.SCRAM_SHA_256)
                .start();
        provider = OidcFixture.start("golden");
        plugin = OidcPluginFixture.create();
        String secret = plugin.secretReference("svc_golden.password", SERVICE_PASSWORD);
        proxy = plugin.startProxy("""
                listen:
                  host: 127.0.0.1
                  port: 0
                  tls: { mode: require, cert: "%s", key: "%s" }
                backends:
                  pg: { host: 127.0.0.1, port: %d, tls: { mode: disable } }
                auth:
                  rules:
                    - { method: oauth, issuer: "%s", scope: "openid pgwarden" }
                plugins:
                  - type: oidc
                    issuers:
                      - issuer: "%s"
                        audience: [pgwarden]
                        http_timeout: 2s
                    strategy: service-account
                    service_accounts:
                      - { default: true, user: %s, password: "%s" }
                """.formatted(certificates.serverCertificate(), certificates.serverKey(), postgres.port(), provider.issuer(),
                provider.issuer(), SERVICE, secret));
    }

    @AfterEach
    void logsNeverShowATokenOrTheServicePassword() {
        List<String> secrets = new ArrayList<>(provider.issuedTokens());
        secrets.add(SERVICE_PASSWORD);
        log.assertNoneOf(secrets);
    }

    @AfterAll
    static void stop() throws Exception {
        Closeables.closeAll(plugin, provider, postgres, certificates, log);
    }

    static List<String> exchanges() {
        return OAuthGoldenExchange.names();
    }

    @Test
    void fixturesCoverEveryExchangeTheIssueNamesAndComeFromPostgres18() {
        assertThat(exchanges()).contains("discovery", "valid-token", "wrong-token-then-kvsep", "wrong-token-then-not-kvsep",
                "no-initial-response", "wrong-mechanism", "empty", "embedded-nul", "p-flag", "missing-comma", "bad-flag",
                "authzid", "bad-attribute", "missing-kvsep", "empty-key", "invalid-key", "invalid-value",
                "key-without-value", "unterminated-pair", "multiple-auth", "no-final-terminator", "no-auth", "trailing-data",
                "non-bearer-scheme", "empty-bearer-token", "bad-token-chars", "oversize");
        OAuthGoldenExchange discovery = OAuthGoldenExchange.load("discovery");
        assertThat(discovery.meta("issuer")).isEqualTo("https://issuer.example");
        assertThat(new String(discovery.messages().get(1).body(), StandardCharsets.ISO_8859_1)).isEqualTo("\0\0\0\nOAUTHBEARER\0\0");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("exchanges")
    void pgwardenAnswersTheExchangeAsPostgres18Does(String name) throws IOException {
        OAuthGoldenExchange golden = OAuthGoldenExchange.load(name);
        new OAuthGoldenReplay(proxy.host(), proxy.port(), certificates.clientContext(), provider.issuer())
                .replay(golden, provider.token(USER).issue());
    }
}
