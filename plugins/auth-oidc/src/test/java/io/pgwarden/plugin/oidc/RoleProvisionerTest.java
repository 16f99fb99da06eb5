package io.pgwarden.plugin.oidc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgwarden.spi.PluginConfig;
import io.pgwarden.testkit.spi.CapturingLogger;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** What RoleProvisioner decides before and without a server; ProvisioningIT runs it against PostgreSQL. */
class RoleProvisionerTest {

    private static final String SECRET = "adm1n-S3cret";

    private final RecordingMetrics registry = new RecordingMetrics();
    private final CapturingLogger logger = new CapturingLogger();
    private final AtomicInteger connections = new AtomicInteger();

    private RoleProvisioner provisioner(RoleProvisioner.AdminConnections admin) {
        ProvisioningSettings settings = ProvisioningSettings.fromConfig(new PluginConfig("plugins[0]", Map.of("provisioning", Map.of(
                "admin", Map.of("user", "pgwarden_admin", "password", "${env:ADMIN_PASSWORD}"),
                "groups", Map.of("analysts", List.of("analytics_read"))))),
                new StrategyTestServices().env("ADMIN_PASSWORD", SECRET)).orElseThrow();
        return new RoleProvisioner(settings, Optional.of(new RoleName("pgwarden_sso")), backend -> {
            connections.incrementAndGet();
            return admin.forBackend(backend);
        }, new ProvisioningMetrics(registry), logger);
    }

    private RoleProvisioner unreachable() {
        return provisioner(backend -> {
            throw new IllegalArgumentException("no backend named '" + backend + "'");
        });
    }

    @Test
    void aReservedNameIsRefusedWithoutAskingTheServer() {
        for (String name : List.of("pg_monitor", "public", "none")) {
            assertThatThrownBy(() -> unreachable().provision("s1", ClientCertStrategyTest.person(name, "analysts"), "client-cert", "pg"))
                    .isInstanceOf(LoginRefusedException.class)
                    .hasMessage("cannot provision role \"" + name + "\": the name is reserved by PostgreSQL");
        }
        assertThat(connections).hasValue(0);
        assertThat(registry.count("pgwarden.oidc.provisioning{action=refused}")).isEqualTo(3);
    }

    @Test
    void aNameTheServerWouldCutIsRefusedWithoutAskingTheServer() {
        String name = "a".repeat(64);
        assertThatThrownBy(() -> unreachable().provision("s1", ClientCertStrategyTest.person(name, "analysts"), "set-role", "pg"))
                .isInstanceOf(LoginRefusedException.class)
                .hasMessageEndingWith("the name has 64 bytes; PostgreSQL keeps at most 63 and would cut it");
        assertThat(connections).hasValue(0);
    }

    @Test
    void anAdminConnectionThatCannotBeHadFailsTheLoginAndIsLoggedWithoutThePassword() {
        assertThatThrownBy(() -> unreachable().provision("s1", ClientCertStrategyTest.person("alice", "analysts"), "client-cert", "pg"))
                .isInstanceOf(ProvisioningFailedException.class)
                .hasMessage("could not provision role \"alice\"; pgwarden's log says why")
                .satisfies(e -> assertThat(((ProvisioningFailedException) e).logReason())
                        .isEqualTo("provisioning failed: SQLSTATE 08006: no backend named 'pg'"));
        assertThat(registry.count("pgwarden.oidc.provisioning{action=failed}")).isEqualTo(1);
        assertThat(logger.lines()).anyMatch(line -> line.contains("[s1] could not provision role \"alice\" on backend pg as "
                + "\"pgwarden_admin\" (plugins[0].provisioning): SQLSTATE 08006"));
        assertThat(logger.lines()).noneMatch(line -> line.contains(SECRET));
    }

    @Test
    void aFailedDeprovisioningIsLoggedAndNotThrown() {
        unreachable().deprovision("s2", ClientCertStrategyTest.person("dave"), "pg");

        assertThat(logger.lines()).anyMatch(line -> line.contains("[s2] could not deprovision role \"dave\" on backend pg"));
        assertThat(registry.count("pgwarden.oidc.provisioning{action=failed}")).isEqualTo(1);
        assertThat(registry.count("pgwarden.oidc.provisioning{action=deprovisioned}")).isZero();
    }

    @Test
    void aRoleInStepCostsReadsWithoutATransactionOrALock() throws Exception {
        FakeAdminDatabase database = new FakeAdminDatabase(List.of("analytics_read"));

        provisioner(backend -> database.dataSource())
                .provision("s1", ClientCertStrategyTest.person("alice", "analysts"), "client-cert", "pg");

        assertThat(database.calls()).as("the marker and the role's state, read in autocommit").hasSize(2)
                .noneMatch(call -> call.contains("lock") || call.startsWith("autoCommit") || call.equals("commit"));
        assertThat(logger.lines()).noneMatch(line -> line.contains("provisioning of role"));
    }

    @Test
    void aChangeIsDecidedAgainAndMadeInOneTransactionUnderTheAdvisoryLock() throws Exception {
        FakeAdminDatabase database = new FakeAdminDatabase(List.of());

        provisioner(backend -> database.dataSource())
                .provision("s1", ClientCertStrategyTest.person("alice", "analysts"), "client-cert", "pg");

        List<String> calls = database.calls();
        assertThat(calls.subList(2, calls.size())).startsWith("autoCommit=false", "SELECT pg_advisory_xact_lock(?, hashtext(?))")
                .endsWith("GRANT \"analytics_read\" TO \"alice\"", "commit");
        assertThat(registry.count("pgwarden.oidc.provisioning{action=granted}")).isEqualTo(1);
    }

    @Test
    void provisioningForAServiceAccountIsABug() {
        assertThatThrownBy(() -> unreachable().provision("s1", ClientCertStrategyTest.person("alice"), "service-account", "pg"))
                .isInstanceOf(IllegalStateException.class);
    }
}
