package io.pgwarden.plugin.oidc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgwarden.spi.PluginConfig;
import io.pgwarden.spi.PluginConfigException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AccessPolicyTest {

    private static AccessPolicy policy(Map<String, Object> authorization) {
        return AccessPolicy.fromConfig(new PluginConfig("plugins[3]", Map.of("type", "oidc", "authorization", authorization)));
    }

    private static final AccessPolicy POLICY = policy(Map.of(
            "allowed_groups", List.of("db-users", "contractors"),
            "databases", Map.of("analysts", List.of("analytics", "reporting_*"), "engineers", List.of("*"),
                    "contractors", "sandbox")));

    @Test
    void noSectionAllowsAnyoneAnywhere() {
        AccessPolicy open = AccessPolicy.fromConfig(new PluginConfig("plugins[3]", Map.of("type", "oidc")));

        assertThat(open.refusal(ClientCertStrategyTest.person("alice"), "anything")).isEmpty();
        assertThat(policy(Map.of()).refusal(ClientCertStrategyTest.person("alice", "x"), "anything")).isEmpty();
    }

    @Test
    void personInNoAllowedGroupIsRefusedNamingTheSetting() {
        assertThat(POLICY.refusal(ClientCertStrategyTest.person("alice", "analysts"), "analytics"))
                .contains(new AccessPolicy.Refusal("alice is not in a group allowed by plugins[3].authorization.allowed_groups", true));
        assertThat(POLICY.refusal(ClientCertStrategyTest.person("alice"), "analytics"))
                .contains(new AccessPolicy.Refusal("alice is not in a group allowed by plugins[3].authorization.allowed_groups", true));
        assertThat(POLICY.refusal(ClientCertStrategyTest.person("alice", "DB-USERS", "analysts"), "analytics"))
                .as("group names are compared exactly").isPresent();
    }

    @Test
    void databasesPerGroupWithWildcards() {
        assertThat(POLICY.refusal(ClientCertStrategyTest.person("alice", "db-users", "analysts"), "analytics")).isEmpty();
        assertThat(POLICY.refusal(ClientCertStrategyTest.person("alice", "db-users", "analysts"), "reporting_2026")).isEmpty();
        assertThat(POLICY.refusal(ClientCertStrategyTest.person("alice", "db-users", "analysts"), "reporting_")).isEmpty();
        assertThat(POLICY.refusal(ClientCertStrategyTest.person("bob", "db-users", "engineers"), "payroll")).isEmpty();
        assertThat(POLICY.refusal(ClientCertStrategyTest.person("carol", "contractors"), "sandbox")).isEmpty();
        assertThat(POLICY.refusal(ClientCertStrategyTest.person("alice", "db-users", "analysts", "contractors"), "sandbox"))
                .as("any of the person's groups may allow").isEmpty();
    }

    @Test
    void databaseNoGroupAllowsIsRefusedNamingTheSetting() {
        assertThat(POLICY.refusal(ClientCertStrategyTest.person("alice", "db-users", "analysts"), "payroll"))
                .contains(new AccessPolicy.Refusal("groups of alice do not allow database \"payroll\" (plugins[3].authorization.databases)",
                        false));
        assertThat(POLICY.refusal(ClientCertStrategyTest.person("alice", "db-users", "analysts"), "Analytics"))
                .as("database names are compared exactly").isPresent();
        assertThat(POLICY.refusal(ClientCertStrategyTest.person("alice", "db-users", "analysts"), "xreporting_1"))
                .as("a pattern matches the whole name").isPresent();
        assertThat(POLICY.refusal(ClientCertStrategyTest.person("alice", "db-users", "analysts"), "analyticsx")).isPresent();
        assertThat(POLICY.refusal(ClientCertStrategyTest.person("dave", "db-users"), "analytics"))
                .as("in an allowed group, but in no group with databases")
                .contains(new AccessPolicy.Refusal(
                        "groups of dave do not allow database \"analytics\" (plugins[3].authorization.databases)", false));
    }

    @Test
    void patternCharactersOtherThanStarAreLiteral() {
        AccessPolicy policy = policy(Map.of("databases", Map.of("g", List.of("a.b", "c?", "(x)*"))));

        assertThat(policy.refusal(ClientCertStrategyTest.person("p", "g"), "a.b")).isEmpty();
        assertThat(policy.refusal(ClientCertStrategyTest.person("p", "g"), "axb")).isPresent();
        assertThat(policy.refusal(ClientCertStrategyTest.person("p", "g"), "c")).isPresent();
        assertThat(policy.refusal(ClientCertStrategyTest.person("p", "g"), "c?")).isEmpty();
        assertThat(policy.refusal(ClientCertStrategyTest.person("p", "g"), "(x)\nz")).isEmpty();
    }

    @Test
    void configErrorsNameTheirPath() {
        assertThatThrownBy(() -> policy(Map.of("allowed_group", List.of("x"))))
                .isInstanceOf(PluginConfigException.class)
                .hasMessage("plugins[3].authorization.allowed_group: unknown setting; authorization knows allowed_groups and databases");
        assertThatThrownBy(() -> policy(Map.of("allowed_groups", "db-users")))
                .hasMessage("plugins[3].authorization.allowed_groups: expected a list, found 'db-users'");
        assertThatThrownBy(() -> policy(Map.of("allowed_groups", List.of("a", " "))))
                .hasMessage("plugins[3].authorization.allowed_groups[1]: is empty");
        assertThatThrownBy(() -> policy(Map.of("databases", List.of("a"))))
                .hasMessage("plugins[3].authorization.databases: expected a map, found a list");
        assertThatThrownBy(() -> policy(Map.of("databases", Map.of("analysts", List.of()))))
                .hasMessageStartingWith("plugins[3].authorization.databases.analysts: lists no database");
        assertThatThrownBy(() -> policy(Map.of("databases", Map.of("analysts", List.of("a", "")))))
                .hasMessage("plugins[3].authorization.databases.analysts[1]: is empty");
        assertThatThrownBy(() -> policy(Map.of("databases", Map.of("analysts", Map.of("a", "b")))))
                .hasMessage("plugins[3].authorization.databases.analysts: expected a single value, found a map");
        assertThatThrownBy(() -> AccessPolicy.fromConfig(new PluginConfig("plugins[3]", Map.of("authorization", "none"))))
                .hasMessage("plugins[3].authorization: expected a map, found 'none'");
    }
}
