package io.pgwarden.plugin.oidc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgwarden.spi.PluginConfig;
import io.pgwarden.spi.PluginConfigException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OidcAuthSettingsTest {

    private static final Map<String, Object> ISSUERS = Map.of("issuers", List.of(Map.of("issuer", "https://idp", "audience", "pgwarden")));
    private static final Map<String, Object> CLIENT_CERT = Map.of("ca_cert", "/ca.pem", "ca_key", "${file:/ca.key}");
    private static final Map<String, Object> SET_ROLE = Map.of("user", "pgwarden_sso", "password", "${env:P}");
    private static final List<Object> SERVICE_ACCOUNTS = List.of(Map.of("default", true, "user", "app_ro", "password", "${env:P}"));

    @Test
    void defaultsAreThoseOfTheBrief() {
        OidcAuthSettings settings = OidcAuthSettings.parse(config(Map.of("client_cert", CLIENT_CERT)));

        assertThat(settings.path()).isEqualTo("plugins[3]");
        assertThat(settings.maxTokenSize()).isEqualTo(16384);
        assertThat(settings.startupUser()).isEqualTo(OidcAuthSettings.StartupUser.MATCH);
        assertThat(settings.defaultStrategy()).isEqualTo("client-cert");
        assertThat(settings.configuredStrategies()).containsExactly("client-cert");
    }

    @Test
    void everyTopLevelKeyOfTheBriefIsKnown() {
        Map<String, Object> values = new HashMap<>();
        values.put("max_token_size", 8000);
        values.put("startup_user", "ignore");
        values.put("authorization", Map.of("allowed_groups", List.of("db-users")));
        values.put("strategy", "service-account");
        values.put("client_cert", CLIENT_CERT);
        values.put("service_accounts", SERVICE_ACCOUNTS);
        values.put("application_name", "pgwarden:{role}");
        values.put("identity_settings", false);
        values.put("set_role", SET_ROLE);
        values.put("session_expiry", Map.of("enabled", true, "grace", "30s"));

        OidcAuthSettings settings = OidcAuthSettings.parse(config(values));

        assertThat(settings.maxTokenSize()).isEqualTo(8000);
        assertThat(settings.startupUser()).isEqualTo(OidcAuthSettings.StartupUser.IGNORE);
        assertThat(settings.defaultStrategy()).isEqualTo("service-account");
        assertThat(settings.configuredStrategies()).containsExactlyInAnyOrder("client-cert", "service-account", "set-role");
    }

    @Test
    void setRoleIsAStrategyWhenItsSectionIsThereAndTheDefaultBeforeServiceAccount() {
        assertThat(OidcAuthSettings.parse(config(Map.of("set_role", SET_ROLE))).defaultStrategy()).isEqualTo("set-role");
        assertThat(OidcAuthSettings.parse(config(Map.of("set_role", SET_ROLE, "service_accounts", SERVICE_ACCOUNTS))).defaultStrategy())
                .isEqualTo("set-role");
        assertThat(OidcAuthSettings.parse(config(Map.of("set_role", SET_ROLE, "client_cert", CLIENT_CERT))).defaultStrategy())
                .isEqualTo("client-cert");
        assertThat(OidcAuthSettings.parse(config(Map.of("set_role", SET_ROLE, "client_cert", CLIENT_CERT, "strategy", "SET-ROLE")))
                .defaultStrategy()).isEqualTo("set-role");
        assertThat(OidcAuthSettings.parse(config(Map.of("client_cert", CLIENT_CERT))).configuredStrategies()).doesNotContain("set-role");
    }

    @Test
    void withoutAStrategyKeyTheOnlyConfiguredOneIsTheDefaultAndClientCertWhenBothAre() {
        assertThat(OidcAuthSettings.parse(config(Map.of("service_accounts", SERVICE_ACCOUNTS))).defaultStrategy())
                .isEqualTo("service-account");
        assertThat(OidcAuthSettings.parse(config(Map.of("service_accounts", SERVICE_ACCOUNTS, "client_cert", CLIENT_CERT)))
                .defaultStrategy()).isEqualTo("client-cert");
    }

    @Test
    void strategyIsReadWhateverItsCase() {
        assertThat(OidcAuthSettings.parse(config(Map.of("client_cert", CLIENT_CERT, "strategy", " Client-Cert "))).defaultStrategy())
                .isEqualTo("client-cert");
    }

    @Test
    void unknownKeysAreNamedWithTheirPath() {
        assertError(Map.of("client_cert", CLIENT_CERT, "issuer", "https://idp"), "plugins[3].issuer", "unknown setting");
        assertError(Map.of("client_cert", CLIENT_CERT, "session_lifetime", "1h"), "plugins[3].session_lifetime",
                "the oidc plugin knows max_token_size, issuers");
    }

    @Test
    void badStartupUserIsNamed() {
        assertError(Map.of("client_cert", CLIENT_CERT, "startup_user", "replace"), "plugins[3].startup_user",
                "expected match or ignore, found 'replace'");
        assertError(Map.of("client_cert", CLIENT_CERT, "startup_user", List.of("match")), "plugins[3].startup_user",
                "expected a single value");
    }

    @Test
    void badStrategyIsNamed() {
        assertError(Map.of("client_cert", CLIENT_CERT, "strategy", "setrole"), "plugins[3].strategy",
                "expected client-cert, service-account or set-role, found 'setrole'");
        assertError(Map.of("client_cert", CLIENT_CERT, "strategy", "set-role"), "plugins[3].strategy",
                "set-role needs a set_role section");
        assertError(Map.of("client_cert", CLIENT_CERT, "strategy", "service-account"), "plugins[3].strategy",
                "service-account needs a service_accounts section");
        assertError(Map.of("service_accounts", SERVICE_ACCOUNTS, "strategy", "client-cert"), "plugins[3].strategy",
                "client-cert needs a client_cert section");
    }

    @Test
    void aSectionWithoutAnyStrategyIsRefusedAtTheSection() {
        assertError(Map.of(), "plugins[3]", "needs client_cert, service_accounts or set_role");
    }

    @Test
    void badValuesNameTheirPath() {
        assertError(Map.of("client_cert", CLIENT_CERT, "max_token_size", 255), "plugins[3].max_token_size",
                "must be 256 to 65530 bytes, found 255");
        assertError(Map.of("client_cert", CLIENT_CERT, "max_token_size", 65_531), "plugins[3].max_token_size", "must be 256 to");
        assertError(Map.of("client_cert", CLIENT_CERT, "max_token_size", "16k"), "plugins[3].max_token_size", "expected an integer");
        assertError(Map.of("client_cert", CLIENT_CERT, "identity_settings", "sometimes"), "plugins[3].identity_settings",
                "expected true or false");
        assertError(Map.of("client_cert", CLIENT_CERT, "application_name", Map.of("x", 1)), "plugins[3].application_name",
                "expected a single value");
    }

    private static void assertError(Map<String, ?> values, String path, String message) {
        assertThatThrownBy(() -> OidcAuthSettings.parse(config(values)))
                .isInstanceOf(PluginConfigException.class)
                .hasMessageContaining(message)
                .satisfies(e -> assertThat(((PluginConfigException) e).path()).isEqualTo(path));
    }

    static PluginConfig config(Map<String, ?> values) {
        Map<String, Object> all = new HashMap<>(ISSUERS);
        all.putAll(values);
        return new PluginConfig("plugins[3]", all);
    }
}
