package io.pgwarden.plugin.oidc;

import static io.pgwarden.plugin.oidc.ValidatorConfig.issuer;
import static io.pgwarden.plugin.oidc.ValidatorConfig.map;
import static io.pgwarden.plugin.oidc.ValidatorConfig.plugin;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JWSAlgorithm;
import io.pgwarden.spi.PluginConfig;
import io.pgwarden.spi.PluginConfigException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IssuerSettingsTest {

    private static final String ISSUER = "https://login.example.com/realms/main";

    private static IssuerSettings parse(Map<String, Object> entry) {
        return IssuerSettings.parse(new PluginConfig("plugins[0].issuers[0]", entry));
    }

    private static void assertRefused(Map<String, Object> entry, String path, String messagePart) {
        assertThatThrownBy(() -> parse(entry)).isInstanceOf(PluginConfigException.class)
                .satisfies(e -> assertThat(((PluginConfigException) e).path()).isEqualTo(path))
                .hasMessageContaining(messagePart);
    }

    private static void assertValidatorRefused(PluginConfig config, String path, String messagePart) {
        assertThatThrownBy(() -> TokenValidator.fromConfig(config, new StrategyTestServices()).close())
                .isInstanceOf(PluginConfigException.class)
                .satisfies(e -> assertThat(((PluginConfigException) e).path()).isEqualTo(path))
                .hasMessageContaining(messagePart);
    }

    @Test
    void defaultsUseDiscoveryAndTheAsymmetricAlgorithms() {
        IssuerSettings settings = parse(issuer(ISSUER));

        assertThat(settings.issuer()).isEqualTo(ISSUER);
        assertThat(settings.discovery()).isTrue();
        assertThat(settings.jwksUri()).isEmpty();
        assertThat(settings.jwksFile()).isEmpty();
        assertThat(settings.audience()).containsExactly("pgwarden");
        assertThat(settings.algorithms()).containsExactlyInAnyOrder(JWSAlgorithm.RS256, JWSAlgorithm.RS384, JWSAlgorithm.RS512,
                JWSAlgorithm.PS256, JWSAlgorithm.PS384, JWSAlgorithm.PS512, JWSAlgorithm.ES256, JWSAlgorithm.ES384, JWSAlgorithm.ES512);
        assertThat(settings.requiredScopes()).isEmpty();
        assertThat(settings.clockSkew()).isEqualTo(Duration.ofSeconds(60));
        assertThat(settings.jwksCache()).isEqualTo(Duration.ofMinutes(5));
        assertThat(settings.jwksMinRefresh()).isEqualTo(Duration.ofSeconds(30));
        assertThat(settings.jwksOutageTolerance()).isEqualTo(Duration.ofHours(24));
        assertThat(settings.httpTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(settings.claimsConfig().values()).isEmpty();
        assertThat(settings.claimsConfig().path()).isEqualTo("plugins[0].issuers[0].claims");
    }

    @Test
    void everySettingIsRead() {
        IssuerSettings settings = parse(issuer(ISSUER, "discovery", false, "jwks_uri", ISSUER + "/certs",
                "audience", List.of("pgwarden", "api://pgwarden"), "algorithms", List.of("ES256", "rs256"),
                "required_scopes", List.of("db"), "clock_skew", "5m", "jwks_cache", "10m", "jwks_min_refresh", "1m",
                "jwks_outage_tolerance", "0", "http_timeout", "250ms", "claims", map("role", "email")));

        assertThat(settings.discovery()).isFalse();
        assertThat(settings.jwksUri()).contains(URI.create(ISSUER + "/certs"));
        assertThat(settings.audience()).containsExactlyInAnyOrder("pgwarden", "api://pgwarden");
        assertThat(settings.algorithms()).containsExactlyInAnyOrder(JWSAlgorithm.ES256, JWSAlgorithm.RS256);
        assertThat(settings.requiredScopes()).containsExactly("db");
        assertThat(settings.clockSkew()).isEqualTo(Duration.ofMinutes(5));
        assertThat(settings.jwksCache()).isEqualTo(Duration.ofMinutes(10));
        assertThat(settings.jwksMinRefresh()).isEqualTo(Duration.ofMinutes(1));
        assertThat(settings.jwksOutageTolerance()).isZero();
        assertThat(settings.httpTimeout()).isEqualTo(Duration.ofMillis(250));
        assertThat(settings.claimsConfig().values()).isEqualTo(Map.of("role", "email"));
        assertThat(settings.claimsConfig().path()).isEqualTo("plugins[0].issuers[0].claims");
    }

    @Test
    void aJwksFileIsMadeAbsolute(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("jwks.json"), "{\"keys\":[]}");

        IssuerSettings settings = parse(issuer(ISSUER, "jwks_file", file.toString()));

        assertThat(settings.discovery()).isFalse();
        assertThat(settings.jwksFile()).contains(file.toAbsolutePath());
    }

    @Test
    void missingAudienceIsRefusedWithItsPath() {
        Map<String, Object> entry = map("issuer", ISSUER);
        assertRefused(entry, "plugins[0].issuers[0].audience", "is required");
        assertValidatorRefused(plugin(issuer("https://other.example.com"), entry), "plugins[0].issuers[1].audience", "is required");
    }

    @Test
    void emptyAudienceIsRefused() {
        assertRefused(issuer(ISSUER, "audience", List.of()), "plugins[0].issuers[0].audience", "is required");
        assertRefused(issuer(ISSUER, "audience", List.of("pgwarden", " ")), "plugins[0].issuers[0].audience", "empty entry");
    }

    @Test
    void hmacAndNoneAreRefusedAsAlgorithms() {
        assertRefused(issuer(ISSUER, "algorithms", List.of("RS256", "HS256")), "plugins[0].issuers[0].algorithms", "HS256 is refused");
        assertRefused(issuer(ISSUER, "algorithms", "hs512"), "plugins[0].issuers[0].algorithms", "hs512 is refused");
        assertRefused(issuer(ISSUER, "algorithms", List.of("none")), "plugins[0].issuers[0].algorithms", "unsigned tokens");
    }

    @Test
    void unsupportedAlgorithmsAreRefused() {
        assertRefused(issuer(ISSUER, "algorithms", List.of("EdDSA")), "plugins[0].issuers[0].algorithms", "unsupported algorithm 'EdDSA'");
        assertRefused(issuer(ISSUER, "algorithms", List.of()), "plugins[0].issuers[0].algorithms", "is empty");
    }

    @Test
    void jwksUriTogetherWithJwksFileIsRefused() {
        assertRefused(issuer(ISSUER, "jwks_uri", ISSUER + "/certs", "jwks_file", "/etc/jwks.json"),
                "plugins[0].issuers[0].jwks_file", "together with jwks_uri");
    }

    @Test
    void discoveryTogetherWithAKeySourceIsRefused() {
        assertRefused(issuer(ISSUER, "discovery", true, "jwks_uri", ISSUER + "/certs"), "plugins[0].issuers[0].discovery",
                "jwks_uri is set");
        assertRefused(issuer(ISSUER, "discovery", "true", "jwks_file", "/etc/jwks.json"), "plugins[0].issuers[0].discovery",
                "jwks_file is set");
        assertRefused(issuer(ISSUER, "discovery", false), "plugins[0].issuers[0].discovery", "jwks_uri or jwks_file is required");
    }

    @Test
    void clockSkewAboveFiveMinutesIsRefused() {
        assertRefused(issuer(ISSUER, "clock_skew", "301s"), "plugins[0].issuers[0].clock_skew", "at most 5m");
        assertRefused(issuer(ISSUER, "clock_skew", "1h"), "plugins[0].issuers[0].clock_skew", "at most 5m");
        assertThat(parse(issuer(ISSUER, "clock_skew", "0")).clockSkew()).isZero();
    }

    @Test
    void unknownKeysAreRefusedWithTheirPath() {
        assertRefused(issuer(ISSUER, "audiences", "x"), "plugins[0].issuers[0].audiences", "unknown setting");
        assertRefused(issuer(ISSUER, "set_role", true), "plugins[0].issuers[0].set_role", "unknown setting");
    }

    @Test
    void issuerIsRequiredAndMustBeHttps() {
        assertRefused(map("audience", "pgwarden"), "plugins[0].issuers[0].issuer", "is required");
        assertRefused(issuer("http://login.example.com/realms/main"), "plugins[0].issuers[0].issuer", "must be an https:// URL");
        assertRefused(issuer("login.example.com"), "plugins[0].issuers[0].issuer", "must be an https:// URL");
        assertRefused(issuer(ISSUER, "jwks_uri", "http://login.example.com/certs"), "plugins[0].issuers[0].jwks_uri", "https://");
        assertThat(parse(issuer("http://localhost:8080/realms/dev")).issuer()).isEqualTo("http://localhost:8080/realms/dev");
        assertThat(parse(issuer("http://127.0.0.1:8080")).issuer()).isEqualTo("http://127.0.0.1:8080");
    }

    @Test
    void cacheMustOutliveTheRefetchRateLimit() {
        assertRefused(issuer(ISSUER, "jwks_cache", "30s"), "plugins[0].issuers[0].jwks_cache", "longer than jwks_min_refresh");
        assertRefused(issuer(ISSUER, "jwks_cache", "1m", "jwks_min_refresh", "2m"), "plugins[0].issuers[0].jwks_cache",
                "longer than jwks_min_refresh");
    }

    @Test
    void badDurationsAndTimeoutsAreRefused() {
        assertRefused(issuer(ISSUER, "http_timeout", "0"), "plugins[0].issuers[0].http_timeout", "more than 0");
        assertRefused(issuer(ISSUER, "http_timeout", "2m"), "plugins[0].issuers[0].http_timeout", "at most 1m");
        assertRefused(issuer(ISSUER, "jwks_cache", "soon"), "plugins[0].issuers[0].jwks_cache", "expected a duration");
        assertRefused(issuer(ISSUER, "clock_skew", "-5s"), "plugins[0].issuers[0].clock_skew", "expected a duration");
    }

    @Test
    void scopesAreSingleWords() {
        assertRefused(issuer(ISSUER, "required_scopes", List.of("db read")), "plugins[0].issuers[0].required_scopes",
                "cannot contain spaces");
        assertThat(parse(issuer(ISSUER, "required_scopes", "db")).requiredScopes()).containsExactly("db");
    }

    @Test
    void validatorRefusesNoIssuersDuplicatesAndBadSizes() {
        assertValidatorRefused(new PluginConfig("plugins[3]", map("type", "oidc")), "plugins[3].issuers", "at least one issuer");
        assertValidatorRefused(new PluginConfig("plugins[3]", map("issuers", "https://x")), "plugins[3].issuers", "expected a list");
        assertValidatorRefused(plugin(issuer(ISSUER), issuer(ISSUER)), "plugins[0].issuers[1].issuer",
                "configured twice (also plugins[0].issuers[0])");
        PluginConfig tiny = new PluginConfig("plugins[0]", map("max_token_size", 10, "issuers", List.of(issuer(ISSUER))));
        assertValidatorRefused(tiny, "plugins[0].max_token_size", "must be 256 to");
    }

    @Test
    void validatorReadsOnlyItsOwnTopLevelKeys() {
        PluginConfig config = new PluginConfig("plugins[0]", map("max_token_size", 4096, "strategy", "client-cert",
                "issuers", List.of(issuer(ISSUER, "claims", map("role", "email")))));
        try (TokenValidator validator = TokenValidator.fromConfig(config, new StrategyTestServices())) {
            assertThat(validator.maxTokenSize()).isEqualTo(4096);
            assertThat(validator.issuers()).containsExactly(ISSUER);
            assertThat(validator.claimsConfigFor(ISSUER).values()).isEqualTo(Map.of("role", "email"));
            assertThat(validator.claimsConfigFor(ISSUER).path()).isEqualTo("plugins[0].issuers[0].claims");
            assertThatThrownBy(() -> validator.claimsConfigFor("https://unknown.example.com"))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }
}
