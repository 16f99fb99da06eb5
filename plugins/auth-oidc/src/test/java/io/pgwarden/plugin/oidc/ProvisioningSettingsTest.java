package io.pgwarden.plugin.oidc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgwarden.spi.PluginConfig;
import io.pgwarden.spi.PluginConfigException;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ProvisioningSettingsTest {

    private static final String SECRET = "adm1n-S3cret";

    private final StrategyTestServices services = new StrategyTestServices().env("PGWARDEN_ADMIN_PASSWORD", SECRET);

    private static Map<String, Object> section() {
        Map<String, Object> groups = new LinkedHashMap<>();
        groups.put("analysts", List.of("analytics_read"));
        groups.put("engineers", List.of("analytics_read", "app_write"));
        Map<String, Object> section = new LinkedHashMap<>();
        section.put("admin", Map.of("user", "pgwarden_admin", "password", "${env:PGWARDEN_ADMIN_PASSWORD}"));
        section.put("groups", groups);
        return section;
    }

    private Optional<ProvisioningSettings> parse(Map<String, Object> provisioning) {
        return parse(provisioning, Map.of());
    }

    private Optional<ProvisioningSettings> parse(Map<String, Object> provisioning, Map<String, Object> more) {
        Map<String, Object> plugin = new HashMap<>(more);
        plugin.put("type", "oidc");
        plugin.put("provisioning", provisioning);
        return ProvisioningSettings.fromConfig(new PluginConfig("plugins[2]", plugin), services);
    }

    private void assertRefused(Map<String, Object> provisioning, String path, String message) {
        assertRefused(provisioning, Map.of(), path, message);
    }

    private void assertRefused(Map<String, Object> provisioning, Map<String, Object> more, String path, String message) {
        assertThatThrownBy(() -> parse(provisioning, more))
                .isInstanceOf(PluginConfigException.class)
                .hasMessageContaining(message)
                .hasMessageNotContaining(SECRET)
                .satisfies(e -> assertThat(((PluginConfigException) e).path()).isEqualTo(path));
    }

    @Test
    void readsTheSectionWithItsDefaults() {
        ProvisioningSettings settings = parse(section()).orElseThrow();

        assertThat(settings.path()).isEqualTo("plugins[2].provisioning");
        assertThat(settings.adminUser()).isEqualTo("pgwarden_admin");
        assertThat(settings.adminPassword()).isEqualTo(SECRET);
        assertThat(settings.database()).isEqualTo("postgres");
        assertThat(settings.marker()).isEqualTo(new RoleName("pgwarden_managed"));
        assertThat(settings.managed()).containsExactly(new RoleName("analytics_read"), new RoleName("app_write"));
        assertThat(settings.desired(Set.of("analysts", "sales"))).containsExactly(new RoleName("analytics_read"));
        assertThat(settings.desired(Set.of("engineers", "analysts"))).containsExactly(new RoleName("analytics_read"),
                new RoleName("app_write"));
        assertThat(settings.desired(Set.of("sales"))).isEmpty();
        assertThat(settings.toString()).doesNotContain(SECRET);
    }

    @Test
    void readsEveryKey() {
        Map<String, Object> section = section();
        section.put("database", "admin_db");
        section.put("marker_role", "sso managed \"people\"");
        section.put("groups", Map.of("analysts", "analytics_read"));
        ProvisioningSettings settings = parse(section).orElseThrow();

        assertThat(settings.database()).isEqualTo("admin_db");
        assertThat(settings.marker().quoted()).isEqualTo("\"sso managed \"\"people\"\"\"");
        assertThat(settings.managed()).as("one role without a list").containsExactly(new RoleName("analytics_read"));
    }

    @Test
    void withoutTheSectionThereIsNothingToProvision() {
        assertThat(ProvisioningSettings.fromConfig(new PluginConfig("plugins[2]", Map.of("type", "oidc")), services)).isEmpty();
    }

    @Test
    void withoutAdminPasswordTheServerMustTrustPgwarden() {
        Map<String, Object> section = section();
        section.put("admin", Map.of("user", "pgwarden_admin"));

        assertThat(parse(section).orElseThrow().adminPassword()).isNull();
    }

    @Test
    void aLiteralAdminPasswordIsRefusedWithoutRepeatingIt() {
        Map<String, Object> section = section();
        section.put("admin", Map.of("user", "pgwarden_admin", "password", SECRET));

        assertRefused(section, "plugins[2].provisioning.admin.password", "must be a secret reference");
    }

    @Test
    void anUnknownKeyIsRefusedWithItsPath() {
        Map<String, Object> section = section();
        section.put("group", Map.of());
        assertRefused(section, "plugins[2].provisioning.group", "unknown setting; provisioning knows admin, database, marker_role");

        Map<String, Object> admin = section();
        admin.put("admin", Map.of("user", "a", "passwd", "x"));
        assertRefused(admin, "plugins[2].provisioning.admin.passwd", "unknown setting; admin has user and password");
    }

    @Test
    void theAdminIsRequired() {
        Map<String, Object> section = section();
        section.remove("admin");
        assertRefused(section, "plugins[2].provisioning.admin", "is required");

        section.put("admin", Map.of("password", "${env:PGWARDEN_ADMIN_PASSWORD}"));
        assertRefused(section, "plugins[2].provisioning.admin.user", "is required");

        section.put("admin", Map.of("user", " "));
        assertRefused(section, "plugins[2].provisioning.admin.user", "is empty");

        section.put("admin", "pgwarden_admin");
        assertRefused(section, "plugins[2].provisioning.admin", "expected a map");
    }

    @Test
    void badDatabaseAndMarkerAreRefusedWithTheirPaths() {
        Map<String, Object> section = section();
        section.put("database", "");
        assertRefused(section, "plugins[2].provisioning.database", "is empty");

        section = section();
        section.put("marker_role", "m".repeat(64));
        assertRefused(section, "plugins[2].provisioning.marker_role", "not a role name: has 64 bytes");
    }

    @Test
    void badGroupsAreRefusedWithTheirPaths() {
        Map<String, Object> section = section();
        section.put("groups", List.of("analysts"));
        assertRefused(section, "plugins[2].provisioning.groups", "expected a map");

        section.put("groups", Map.of("analysts", List.of()));
        assertRefused(section, "plugins[2].provisioning.groups.analysts", "lists no role");

        section.put("groups", Map.of("analysts", List.of("analytics_read", "")));
        assertRefused(section, "plugins[2].provisioning.groups.analysts[1]", "not a role name: is empty");

        section.put("groups", Map.of("analysts", List.of("x".repeat(70))));
        assertRefused(section, "plugins[2].provisioning.groups.analysts[0]", "not a role name: has 70 bytes");

        section.put("groups", Map.of("analysts", List.of(Map.of("a", "b"))));
        assertRefused(section, "plugins[2].provisioning.groups.analysts[0]", "expected a single value");

        section.put("groups", Map.of(" ", List.of("analytics_read")));
        assertRefused(section, "plugins[2].provisioning.groups. ", "a group name is empty");
    }

    @Test
    void theMarkerTheAdminAndTheSetRoleAccountCanNeverBeAManagedGroupRole() {
        Map<String, Object> section = section();
        section.put("groups", Map.of("analysts", List.of("analytics_read", "pgwarden_managed")));
        assertRefused(section, "plugins[2].provisioning.groups.analysts[1]", "a person must never be granted it");

        section.put("groups", Map.of("analysts", List.of("pgwarden_admin")));
        assertRefused(section, "plugins[2].provisioning.groups.analysts[0]", "a person must never be granted it");

        section.put("groups", Map.of("analysts", List.of("pgwarden_sso")));
        assertRefused(section, Map.of("set_role", Map.of("user", "pgwarden_sso")), "plugins[2].provisioning.groups.analysts[0]",
                "a person must never be granted it");
    }
}
