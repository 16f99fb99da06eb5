package io.pgwarden.plugin.oidc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import io.pgwarden.spi.Authenticator;
import io.pgwarden.spi.Interceptor;
import io.pgwarden.spi.PluginConfig;
import io.pgwarden.spi.PluginConfigException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code provisioning} section as the factory assembles it: read at start, checked with the rules' options. */
class ProvisioningFactoryTest {

    private static final String ISSUER = "https://login.example.com/realms/main";
    private static final String ADMIN_SECRET = "adm1n-S3cret";

    @TempDir
    Path directory;

    private final FactoryTestServices services = new FactoryTestServices(Map.of("SSO_PASSWORD", "sso-secret",
            "PGWARDEN_ADMIN_PASSWORD", ADMIN_SECRET));

    @Test
    void withTheSectionARuleMayProvisionWithSetRoleButNotWithAServiceAccount() throws Exception {
        try (Interceptor plugin = new OidcAuthFactory().create(config(provisioning()), services)) {
            Authenticator oidc = plugin.authenticators().get(0);

            oidc.checkRuleOptions(Map.of("provision", "true", "strategy", "set-role"));
            assertThatThrownBy(() -> oidc.checkRuleOptions(Map.of("provision", "true", "strategy", "service-account")))
                    .isInstanceOf(PluginConfigException.class)
                    .hasMessageContaining("does not apply to strategy service-account");
        }
        assertThat(services.metrics.counts()).containsKeys("pgwarden.oidc.provisioning{action=created}",
                "pgwarden.oidc.provisioning{action=granted}", "pgwarden.oidc.provisioning{action=revoked}",
                "pgwarden.oidc.provisioning{action=refused}", "pgwarden.oidc.provisioning{action=deprovisioned}",
                "pgwarden.oidc.provisioning{action=failed}");
        assertThat(services.logger.lines()).noneMatch(line -> line.contains(ADMIN_SECRET));
    }

    @Test
    void withoutTheSectionARuleThatProvisionsIsRefusedAtStart() throws Exception {
        try (Interceptor plugin = new OidcAuthFactory().create(config(null), services)) {
            assertThatThrownBy(() -> plugin.authenticators().get(0).checkRuleOptions(Map.of("provision", "true", "strategy", "set-role")))
                    .isInstanceOf(PluginConfigException.class)
                    .hasMessage("provision: needs a provisioning section in plugins[0]");
            plugin.authenticators().get(0).checkRuleOptions(Map.of("provision", "false", "strategy", "set-role"));
        }
    }

    @Test
    void aBadSectionStopsTheStartNamingItsPath() {
        Map<String, Object> provisioning = provisioning();
        provisioning.put("groups", Map.of("analysts", List.of("pgwarden_sso")));

        assertThatThrownBy(() -> new OidcAuthFactory().create(config(provisioning), services))
                .isInstanceOf(PluginConfigException.class)
                .hasMessageContaining("plugins[0].provisioning.groups.analysts[0]")
                .hasMessageContaining("a person must never be granted it");
    }

    @Test
    void anAdminPasswordReferenceThatCannotBeResolvedStopsTheStart() {
        Map<String, Object> provisioning = provisioning();
        provisioning.put("admin", Map.of("user", "pgwarden_admin", "password", "${env:MISSING_ADMIN_PASSWORD}"));

        assertThatThrownBy(() -> new OidcAuthFactory().create(config(provisioning), services))
                .isInstanceOf(PluginConfigException.class)
                .hasMessageContaining("plugins[0].provisioning.admin.password");
    }

    private static Map<String, Object> provisioning() {
        Map<String, Object> provisioning = new HashMap<>();
        provisioning.put("admin", Map.of("user", "pgwarden_admin", "password", "${env:PGWARDEN_ADMIN_PASSWORD}"));
        provisioning.put("groups", Map.of("analysts", List.of("analytics_read")));
        return provisioning;
    }

    private PluginConfig config(Map<String, Object> provisioning) throws Exception {
        Path jwks = directory.resolve("jwks.json");
        Files.writeString(jwks, new JWKSet(new RSAKeyGenerator(2048).keyID("k1").generate().toPublicJWK()).toString(),
                StandardCharsets.UTF_8);
        Map<String, Object> section = new HashMap<>();
        section.put("issuers", List.of(Map.of("issuer", ISSUER, "discovery", false, "jwks_file", jwks.toString(),
                "audience", List.of("pgwarden"))));
        section.put("set_role", Map.of("user", "pgwarden_sso", "password", "${env:SSO_PASSWORD}"));
        section.put("service_accounts", List.of(Map.of("default", true, "user", "app_ro", "password", "${env:SSO_PASSWORD}")));
        if (provisioning != null) {
            section.put("provisioning", provisioning);
        }
        return new PluginConfig("plugins[0]", section);
    }
}
