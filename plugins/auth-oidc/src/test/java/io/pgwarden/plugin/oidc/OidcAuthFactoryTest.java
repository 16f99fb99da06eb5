package io.pgwarden.plugin.oidc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import io.pgwarden.spi.AuthOutcome;
import io.pgwarden.spi.Authenticator;
import io.pgwarden.spi.Interceptor;
import io.pgwarden.spi.InterceptorFactory;
import io.pgwarden.spi.PluginConfig;
import io.pgwarden.spi.PluginConfigException;
import io.pgwarden.testkit.spi.CapturingLogger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OidcAuthFactoryTest {

    private static final String ISSUER = "https://login.example.com/realms/main";

    @TempDir
    Path directory;

    @Test
    void factoryIsFoundByServiceLoaderAsTypeOidc() {
        assertThat(ServiceLoader.load(InterceptorFactory.class).stream().map(p -> p.get().type())).contains("oidc");
        assertThat(ServiceLoader.load(InterceptorFactory.class).stream().map(ServiceLoader.Provider::type))
                .contains(OidcAuthFactory.class);
    }

    @Test
    void anUnknownKeyIsRefusedBeforeAnyPartOfThePluginStarts() {
        assertThatThrownBy(() -> new OidcAuthFactory().create(new PluginConfig("plugins[0]", Map.of("isuers", List.of())), null))
                .isInstanceOf(PluginConfigException.class)
                .satisfies(e -> assertThat(((PluginConfigException) e).path()).isEqualTo("plugins[0].isuers"));
    }

    @Test
    void pluginProvidesMethodOidcWithTheConfiguredStrategiesAndItsCounters() throws Exception {
        FactoryTestServices services = new FactoryTestServices(Map.of("APP_RO_PASSWORD", "app-secret"));

        try (Interceptor plugin = new OidcAuthFactory().create(config(), services)) {
            assertThat(plugin.authenticators()).extracting(Authenticator::method).containsExactly("oidc", "oauth");
            Authenticator oidc = plugin.authenticators().get(0);
            oidc.checkRuleOptions(Map.of("strategy", "service-account"));
            assertThatThrownBy(() -> oidc.checkRuleOptions(Map.of("strategy", "client-cert")))
                    .isInstanceOf(PluginConfigException.class)
                    .hasMessageContaining("client-cert is not configured: plugins[0] has no client_cert section");
            assertThat(services.metrics.logins(ISSUER)).isZero();
            assertThat(services.metrics.failures(ISSUER, "signature")).isZero();
        }
    }

    @Test
    void methodOauthNamesAConfiguredIssuerWithItsRequiredScopes() throws Exception {
        FactoryTestServices services = new FactoryTestServices(Map.of("APP_RO_PASSWORD", "app-secret"));
        Map<String, Object> values = new java.util.HashMap<>(config().values());
        String jwks = directory.resolve("jwks.json").toString();
        values.put("issuers", List.of(
                Map.of("issuer", ISSUER, "discovery", false, "jwks_file", jwks, "audience", "pgwarden"),
                Map.of("issuer", " https://partners.example.com ", "discovery", false, "jwks_file", jwks, "audience", "pgwarden",
                        "required_scopes", List.of("db"))));

        try (Interceptor plugin = new OidcAuthFactory().create(new PluginConfig("plugins[0]", values), services)) {
            Authenticator oauth = plugin.authenticators().get(1);
            oauth.checkRuleOptions(Map.of("issuer", "https://partners.example.com", "strategy", "service-account"));
            FakeExchange discovery = new FakeExchange().tls().option("issuer", "https://partners.example.com")
                    .sasl("OAUTHBEARER", "n,,\u0001auth=\u0001\u0001".getBytes(StandardCharsets.UTF_8), new byte[] {1});
            assertThat(oauth.authenticate(discovery).toCompletableFuture().join()).isInstanceOf(AuthOutcome.Failure.class);
            assertThat(new String(discovery.challenges.get(0), StandardCharsets.UTF_8))
                    .contains("\"https://partners.example.com/.well-known/openid-configuration\"", "\"scope\": \"openid db\"");
            assertThatThrownBy(() -> oauth.checkRuleOptions(Map.of()))
                    .isInstanceOfSatisfying(PluginConfigException.class, e -> assertThat(e.path()).isEqualTo("issuer"))
                    .hasMessageContaining("more than one issuer");
        }
    }

    @Test
    void withSetRoleThePluginGuardsStatementsAndTheRuleMayChooseSetRole() throws Exception {
        FactoryTestServices services = new FactoryTestServices(Map.of("APP_RO_PASSWORD", "app-secret", "SSO_PASSWORD", "sso-secret"));
        Map<String, Object> values = new java.util.HashMap<>(config().values());
        values.put("set_role", Map.of("user", "pgwarden_sso", "password", "${env:SSO_PASSWORD}"));

        try (Interceptor plugin = new OidcAuthFactory().create(new PluginConfig("plugins[0]", values), services)) {
            assertThat(plugin).isInstanceOf(OidcAuthPlugin.Guarded.class);
            plugin.authenticators().get(0).checkRuleOptions(Map.of("strategy", "set-role"));
        }
        try (Interceptor plugin = new OidcAuthFactory().create(config(), services)) {
            assertThat(plugin).isNotInstanceOf(OidcAuthPlugin.Guarded.class);
            assertThatThrownBy(() -> plugin.authenticators().get(0).checkRuleOptions(Map.of("strategy", "set-role")))
                    .isInstanceOf(PluginConfigException.class)
                    .hasMessageContaining("set-role is not configured: plugins[0] has no set_role section");
        }
    }

    @Test
    void aPasswordThatIsNotATokenFallsThroughTheAssembledPlugin() throws Exception {
        FactoryTestServices services = new FactoryTestServices(Map.of("APP_RO_PASSWORD", "app-secret"));

        try (Interceptor plugin = new OidcAuthFactory().create(config(), services)) {
            FakeExchange exchange = new FakeExchange().tls().cleartext("a plain password");
            AuthOutcome outcome = plugin.authenticators().get(0).authenticate(exchange).toCompletableFuture().join();
            assertThat(outcome).isInstanceOf(AuthOutcome.NotApplicable.class);
        }
    }

    @Test
    void closingThePluginClosesItsResourcesAndAFailureIsLoggedNotThrown() {
        CapturingLogger logger = new CapturingLogger();
        AtomicBoolean closed = new AtomicBoolean();
        OidcAuthenticator oidc = new OidcAuthenticator(new TokenLogin(
                new OidcAuthSettings("plugins[0]", 16384, OidcAuthSettings.StartupUser.MATCH, "client-cert", java.util.Set.of("client-cert")),
                new FakeParts().parts(), new OidcMetrics(new RecordingMetrics(), List.of()), logger), Runnable::run);

        new OidcAuthPlugin(List.of(oidc), () -> closed.set(true), logger).close();
        new OidcAuthPlugin(List.of(oidc), () -> {
            throw new java.io.IOException("already closed");
        }, logger).close();

        assertThat(closed).isTrue();
        assertThat(logger.lines()).anyMatch(line -> line.contains("already closed"));
    }

    /** A section both the placeholders and the real collaborators accept: keys from a file, one service account. */
    private PluginConfig config() throws Exception {
        Path jwks = directory.resolve("jwks.json");
        Files.writeString(jwks, new JWKSet(new RSAKeyGenerator(2048).keyID("k1").generate().toPublicJWK()).toString(),
                StandardCharsets.UTF_8);
        return new PluginConfig("plugins[0]", Map.of(
                "issuers", List.of(Map.of("issuer", ISSUER, "discovery", false, "jwks_file", jwks.toString(), "audience", List.of("pgwarden"))),
                "service_accounts", List.of(Map.of("default", true, "user", "app_ro", "password", "${env:APP_RO_PASSWORD}"))));
    }
}
