package io.pgwarden.plugin.oidc;

import static io.pgwarden.plugin.oidc.FakeParts.ISSUER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgwarden.plugin.oidc.OidcAuthSettings.StartupUser;
import io.pgwarden.spi.AuthOutcome;
import io.pgwarden.spi.BackendLogin;
import io.pgwarden.spi.Credential;
import io.pgwarden.spi.PluginConfigException;
import io.pgwarden.testkit.spi.CapturingLogger;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** Where TokenLogin.decide provisions and deprovisions, and the rule option {@code provision}. */
class TokenLoginProvisioningTest {

    private static final String TOKEN = TestTokens.jwt(Map.of("iss", ISSUER, "sub", "s-1", "preferred_username", "alice"));
    private static final OidcAuthSettings SETTINGS = new OidcAuthSettings("plugins[3]", 16384, StartupUser.MATCH, "client-cert",
            Set.of("client-cert", "set-role", "service-account"));
    private static final BackendLogin RULE_DEFAULT = new BackendLogin("primary", "app", "alice", Credential.none(), Map.of(),
            List.of());

    private final FakeParts fakes = new FakeParts();
    private final RecordingMetrics registry = new RecordingMetrics();
    private final RecordingProvisioner provisioner = new RecordingProvisioner();

    private AuthOutcome decide(Map<String, String> options) {
        fakes.provisioner = provisioner;
        TokenLogin login = new TokenLogin(SETTINGS, fakes.parts(), new OidcMetrics(registry, List.of(ISSUER)), new CapturingLogger());
        return login.decide(new TokenLogin.Attempt("s1", "alice", "app", options, RULE_DEFAULT), TOKEN, "oidc");
    }

    @Test
    void aRuleWithProvisionProvisionsTheAuthorizedPersonOnTheRulesBackendBeforeTheLogin() {
        AuthOutcome outcome = decide(Map.of("provision", "true"));

        assertThat(outcome).isInstanceOf(AuthOutcome.Success.class);
        assertThat(provisioner.calls).containsExactly("provision s1 alice client-cert primary");
        assertThat(fakes.strategiesUsed).containsExactly("client-cert");
    }

    @Test
    void withoutTheOptionNothingIsProvisioned() {
        assertThat(decide(Map.of())).isInstanceOf(AuthOutcome.Success.class);
        assertThat(decide(Map.of("provision", "false"))).isInstanceOf(AuthOutcome.Success.class);
        assertThat(provisioner.calls).isEmpty();
    }

    @Test
    void aRefusedRoleRefusesTheLoginWith28000AndNoBackendLogin() {
        provisioner.refusal = new LoginRefusedException("role \"alice\" exists and is not managed by pgwarden");

        AuthOutcome.Failure failure = (AuthOutcome.Failure) decide(Map.of("provision", "true"));

        assertThat(failure.sqlState()).isEqualTo("28000");
        assertThat(failure.message()).isEqualTo("role \"alice\" exists and is not managed by pgwarden");
        assertThat(fakes.strategiesUsed).isEmpty();
        assertThat(registry.failures(ISSUER, "provisioning")).isEqualTo(1);
    }

    @Test
    void aFailedProvisioningRefusesTheLoginWith08006AndTheCauseOnlyInTheLog() {
        provisioner.failure = new ProvisioningFailedException("could not provision role \"alice\"; pgwarden's log says why",
                "provisioning failed: SQLSTATE 42501: permission denied to create role");

        AuthOutcome.Failure failure = (AuthOutcome.Failure) decide(Map.of("provision", "true"));

        assertThat(failure.sqlState()).isEqualTo("08006");
        assertThat(failure.message()).isEqualTo("could not provision role \"alice\"; pgwarden's log says why");
        assertThat(failure.logReason()).contains("permission denied to create role");
        assertThat(fakes.strategiesUsed).isEmpty();
    }

    @Test
    void aPersonWithNoAllowedGroupIsDeprovisionedAndRefused() {
        fakes.policyRefusal = "alice is not in a group allowed by plugins[3].authorization.allowed_groups";
        fakes.policyNoAllowedGroup = true;

        AuthOutcome.Failure failure = (AuthOutcome.Failure) decide(Map.of("provision", "true"));

        assertThat(failure.sqlState()).isEqualTo("28000");
        assertThat(failure.message()).isEqualTo(fakes.policyRefusal);
        assertThat(provisioner.calls).containsExactly("deprovision s1 alice primary");
    }

    @Test
    void aRefusedDatabaseOrARuleWithoutProvisionDeprovisionsNothing() {
        fakes.policyRefusal = "groups of alice do not allow database \"app\" (plugins[3].authorization.databases)";
        assertThat(decide(Map.of("provision", "true"))).isInstanceOf(AuthOutcome.Failure.class);

        fakes.policyRefusal = "alice is not in a group allowed by plugins[3].authorization.allowed_groups";
        fakes.policyNoAllowedGroup = true;
        assertThat(decide(Map.of())).isInstanceOf(AuthOutcome.Failure.class);

        assertThat(provisioner.calls).isEmpty();
    }

    // ---- the rule option

    @Test
    void provisionIsAcceptedWithAProvisioningSectionForClientCertAndSetRole() {
        RuleOptions.check(Map.of("provision", "true"), SETTINGS, true);
        RuleOptions.check(Map.of("provision", "TRUE", "strategy", "set-role"), SETTINGS, true);
        RuleOptions.check(Map.of("provision", "false", "strategy", "service-account"), SETTINGS, false);
        assertThat(RuleOptions.provision(Map.of())).isFalse();
        assertThat(RuleOptions.provision(Map.of("provision", " true "))).isTrue();
    }

    @Test
    void provisionWithoutAProvisioningSectionIsRefusedAtStart() {
        assertOptionRefused(Map.of("provision", "true"), false, "needs a provisioning section in plugins[3]");
    }

    @Test
    void provisionWithTheServiceAccountStrategyIsRefusedAtStart() {
        assertOptionRefused(Map.of("provision", "true", "strategy", "service-account"), true,
                "does not apply to strategy service-account");
    }

    @Test
    void aProvisionThatIsNotABooleanIsRefused() {
        assertOptionRefused(Map.of("provision", "yes"), true, "expected true or false, found 'yes'");
    }

    private static void assertOptionRefused(Map<String, String> options, boolean provisioning, String message) {
        assertThatThrownBy(() -> RuleOptions.check(options, SETTINGS, provisioning))
                .isInstanceOf(PluginConfigException.class)
                .hasMessageContaining(message)
                .satisfies(e -> assertThat(((PluginConfigException) e).path()).isEqualTo("provision"));
    }

    /** Records the calls; refuses or fails when told to. */
    private static final class RecordingProvisioner implements Provisioner {
        final List<String> calls = new CopyOnWriteArrayList<>();
        LoginRefusedException refusal;
        ProvisioningFailedException failure;

        @Override
        public void provision(String sessionId, PersonIdentity person, String strategy, String backend)
                throws LoginRefusedException, ProvisioningFailedException {
            calls.add("provision " + sessionId + " " + person.role() + " " + strategy + " " + backend);
            if (refusal != null) {
                throw refusal;
            }
            if (failure != null) {
                throw failure;
            }
        }

        @Override
        public void deprovision(String sessionId, PersonIdentity person, String backend) {
            calls.add("deprovision " + sessionId + " " + person.role() + " " + backend);
        }
    }
}
