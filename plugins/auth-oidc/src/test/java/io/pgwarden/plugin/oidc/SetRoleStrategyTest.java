package io.pgwarden.plugin.oidc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgwarden.spi.BackendLogin;
import io.pgwarden.spi.Credential;
import io.pgwarden.spi.PluginConfig;
import io.pgwarden.spi.PluginConfigException;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SetRoleStrategyTest {

    private final StrategyTestServices services = new StrategyTestServices().env("SSO_PASSWORD", "sso-secret");

    private SetRoleStrategy strategy(Object section) {
        return SetRoleStrategy.fromConfig(new PluginConfig("plugins[2]", Map.of("type", "oidc", "set_role", section)), services)
                .orElseThrow();
    }

    @Test
    void logsInAsTheServiceAccountWithThePersonsRoleAsStartupParameter() {
        SetRoleStrategy strategy = strategy(Map.of("user", "pgwarden_sso", "password", "${env:SSO_PASSWORD}"));

        BackendLogin login = strategy.login(ClientCertStrategyTest.person("alice", "analysts"), ClientCertStrategyTest.ruleDefault());

        assertThat(login.user()).isEqualTo("pgwarden_sso");
        assertThat(login.credential()).isEqualTo(Credential.password("sso-secret"));
        assertThat(login.parameters()).isEqualTo(Map.of("application_name", "psql", "role", "alice"));
        assertThat(login.backend()).isEqualTo("main");
        assertThat(login.database()).isEqualTo("app");
        assertThat(login.sessionInit()).containsExactly("SET search_path = app");
        assertThat(strategy.name()).isEqualTo("set-role");
        assertThat(strategy.user()).isEqualTo("pgwarden_sso");
    }

    @Test
    void aRoleParameterOfTheRuleIsReplacedByThePersons() {
        BackendLogin ruleDefault = ClientCertStrategyTest.ruleDefault().withParameters(Map.of("role", "admin"));

        BackendLogin login = strategy(Map.of("user", "pgwarden_sso")).login(ClientCertStrategyTest.person("bob"), ruleDefault);

        assertThat(login.parameters()).containsEntry("role", "bob");
    }

    @Test
    void withoutPasswordTheBackendMustTrustTheProxy() {
        assertThat(strategy(Map.of("user", "pgwarden_sso")).login(ClientCertStrategyTest.person("alice"),
                ClientCertStrategyTest.ruleDefault()).credential()).isSameAs(Credential.none());
    }

    @Test
    void noSectionNoStrategy() {
        assertThat(SetRoleStrategy.fromConfig(new PluginConfig("plugins[2]", Map.of("type", "oidc")), services)).isEmpty();
    }

    @Test
    void configErrorsNameTheirPathAndNeverRepeatAPassword() {
        assertThatThrownBy(() -> strategy(Map.of("password", "${env:SSO_PASSWORD}")))
                .isInstanceOf(PluginConfigException.class).hasMessage("plugins[2].set_role.user: is required");
        assertThatThrownBy(() -> strategy(Map.of("user", "  ")))
                .isInstanceOf(PluginConfigException.class).hasMessage("plugins[2].set_role.user: is empty");
        assertThatThrownBy(() -> strategy(Map.of("user", "u", "role", "x")))
                .isInstanceOf(PluginConfigException.class)
                .hasMessage("plugins[2].set_role.role: unknown setting; set_role has user and password");
        assertThatThrownBy(() -> strategy(Map.of("user", "u", "password", "hunter2")))
                .isInstanceOf(PluginConfigException.class)
                .hasMessageStartingWith("plugins[2].set_role.password: must be a secret reference")
                .hasMessageNotContaining("hunter2");
        assertThatThrownBy(() -> strategy("pgwarden_sso")).isInstanceOf(PluginConfigException.class)
                .satisfies(e -> assertThat(((PluginConfigException) e).path()).isEqualTo("plugins[2].set_role"));
    }

    @Test
    void descriptionNeverShowsThePassword() {
        assertThat(strategy(Map.of("user", "pgwarden_sso", "password", "${env:SSO_PASSWORD}")).toString())
                .contains("pgwarden_sso").doesNotContain("sso-secret");
    }
}
