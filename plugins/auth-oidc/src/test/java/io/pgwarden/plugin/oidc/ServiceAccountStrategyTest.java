package io.pgwarden.plugin.oidc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgwarden.spi.BackendLogin;
import io.pgwarden.spi.Credential;
import io.pgwarden.spi.PluginConfig;
import io.pgwarden.spi.PluginConfigException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ServiceAccountStrategyTest {

    private final StrategyTestServices services = new StrategyTestServices()
            .env("ANALYST_RO_PASSWORD", "analyst-secret").env("ENGINEER_PASSWORD", "engineer-secret").env("APP_RO", "app-secret");

    private ServiceAccountStrategy strategy(List<Map<String, Object>> accounts) {
        return ServiceAccountStrategy.fromConfig(new PluginConfig("plugins[4]", Map.of("type", "oidc", "service_accounts", accounts)),
                services).orElseThrow();
    }

    private static final List<Map<String, Object>> ACCOUNTS = List.of(
            Map.of("group", "analysts", "user", "analyst_ro", "password", "${env:ANALYST_RO_PASSWORD}"),
            Map.of("group", "engineers", "user", "engineer_rw", "password", "${env:ENGINEER_PASSWORD}"),
            Map.of("default", true, "user", "app_ro", "password", "${env:APP_RO}"));

    @Test
    void firstListedGroupOfThePersonWins() throws Exception {
        ServiceAccountStrategy strategy = strategy(ACCOUNTS);

        BackendLogin login = strategy.login(ClientCertStrategyTest.person("alice", "engineers", "analysts"),
                ClientCertStrategyTest.ruleDefault());

        assertThat(login.user()).isEqualTo("analyst_ro");
        assertThat(login.credential()).isEqualTo(Credential.password("analyst-secret"));
        assertThat(login.backend()).isEqualTo("main");
        assertThat(login.database()).isEqualTo("app");
        assertThat(login.parameters()).isEqualTo(Map.of("application_name", "psql"));
        assertThat(strategy.login(ClientCertStrategyTest.person("bob", "engineers"), ClientCertStrategyTest.ruleDefault()).user())
                .isEqualTo("engineer_rw");
        assertThat(strategy.name()).isEqualTo("service-account");
    }

    @Test
    void personInNoListedGroupGetsTheDefault() throws Exception {
        BackendLogin login = strategy(ACCOUNTS).login(ClientCertStrategyTest.person("carol", "sales"),
                ClientCertStrategyTest.ruleDefault());

        assertThat(login.user()).isEqualTo("app_ro");
        assertThat(login.credential()).isEqualTo(Credential.password("app-secret"));
    }

    @Test
    void withoutDefaultAPersonInNoListedGroupIsRefused() {
        ServiceAccountStrategy strategy = strategy(ACCOUNTS.subList(0, 2));

        assertThatThrownBy(() -> strategy.login(ClientCertStrategyTest.person("carol", "sales"), ClientCertStrategyTest.ruleDefault()))
                .isInstanceOf(LoginRefusedException.class)
                .hasMessage("no service account for the groups of carol (plugins[4].service_accounts)");
        assertThatThrownBy(() -> strategy.login(ClientCertStrategyTest.person("dave"), ClientCertStrategyTest.ruleDefault()))
                .isInstanceOf(LoginRefusedException.class);
    }

    @Test
    void withoutPasswordTheBackendMustTrustTheProxy() throws Exception {
        BackendLogin login = strategy(List.of(Map.of("default", "true", "user", "app_ro")))
                .login(ClientCertStrategyTest.person("carol"), ClientCertStrategyTest.ruleDefault());

        assertThat(login.credential()).isSameAs(Credential.none());
    }

    @Test
    void noSectionNoStrategy() {
        assertThat(ServiceAccountStrategy.fromConfig(new PluginConfig("plugins[4]", Map.of("type", "oidc")), services)).isEmpty();
    }

    @Test
    void literalPasswordIsRefusedWithoutRepeatingIt() {
        assertThatThrownBy(() -> strategy(List.of(Map.of("group", "a", "user", "u", "password", "hunter2"))))
                .isInstanceOf(PluginConfigException.class)
                .hasMessage("plugins[4].service_accounts[0].password: must be a secret reference such as ${env:NAME} or "
                        + "${file:/path}; a password written in the configuration file is refused");
        assertThatThrownBy(() -> strategy(List.of(Map.of("group", "a", "user", "u", "password", "${env:UNSET}"))))
                .isInstanceOf(PluginConfigException.class)
                .hasMessage("plugins[4].service_accounts[0].password: the environment variable UNSET is not set");
    }

    @Test
    void configErrorsNameTheirPath() {
        assertThatThrownBy(() -> strategy(List.of()))
                .hasMessageStartingWith("plugins[4].service_accounts: lists no service account");
        assertThatThrownBy(() -> strategy(List.of(Map.of("user", "u"))))
                .hasMessage("plugins[4].service_accounts[0].group: is required (or default: true)");
        assertThatThrownBy(() -> strategy(List.of(Map.of("group", "a", "default", true, "user", "u"))))
                .hasMessage("plugins[4].service_accounts[0]: has both group and default: true; an entry is one or the other");
        assertThatThrownBy(() -> strategy(List.of(Map.of("group", "a"))))
                .hasMessage("plugins[4].service_accounts[0].user: is required");
        assertThatThrownBy(() -> strategy(List.of(Map.of("group", "a", "user", " "))))
                .hasMessage("plugins[4].service_accounts[0].user: is empty");
        assertThatThrownBy(() -> strategy(List.of(Map.of("group", "a", "user", "u", "role", "x"))))
                .hasMessage("plugins[4].service_accounts[0].role: unknown setting; a service account has group or default, user and password");
        assertThatThrownBy(() -> strategy(List.of(Map.of("default", true, "user", "u"), Map.of("default", true, "user", "v"))))
                .hasMessage("plugins[4].service_accounts[1].default: a second default; at most one entry is the default");
        assertThatThrownBy(() -> strategy(List.of(Map.of("group", "a", "user", "u"), Map.of("group", "a", "user", "v"))))
                .hasMessage("plugins[4].service_accounts[1].group: group a already has a service account at plugins[4].service_accounts[0]");
        assertThatThrownBy(() -> strategy(List.of(Map.of("default", "maybe", "user", "u"))))
                .hasMessage("plugins[4].service_accounts[0].default: expected true or false, found 'maybe'");
        assertThatThrownBy(() -> ServiceAccountStrategy.fromConfig(new PluginConfig("plugins[4]", Map.of("service_accounts", "u")),
                services))
                .isInstanceOf(PluginConfigException.class)
                .hasMessage("plugins[4].service_accounts: expected a list, found 'u'");
    }

    @Test
    void descriptionNeverShowsPasswords() {
        assertThat(strategy(ACCOUNTS).toString()).doesNotContain("secret").contains("analyst_ro");
    }
}
