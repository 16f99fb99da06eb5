package io.pgwarden.plugin.oidc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ProvisioningPlanTest {

    private static final RoleName ALICE = new RoleName("alice");
    private static final RoleName MARKER = new RoleName("pgwarden_managed");
    private static final RoleName READ = new RoleName("analytics_read");
    private static final RoleName WRITE = new RoleName("app_write");
    private static final RoleName OPS = new RoleName("ops");
    private static final RoleName SSO = new RoleName("pgwarden_sso");
    private static final ProvisioningPlan.Use CLIENT_CERT = new ProvisioningPlan.Use(true, Optional.empty(), true);
    private static final ProvisioningPlan.Use SET_ROLE = new ProvisioningPlan.Use(false, Optional.of(SSO), true);

    private static Set<RoleName> roles(RoleName... roles) {
        return new LinkedHashSet<>(List.of(roles));
    }

    private static ProvisioningPlan.Current managed(boolean canLogin, Set<RoleName> memberships, boolean granted) {
        return new ProvisioningPlan.Current(true, true, canLogin, memberships, granted);
    }

    @Test
    void aMissingRoleIsCreatedMarkedAndGrantedItsGroups() {
        ProvisioningPlan plan = ProvisioningPlan.login(ALICE, CLIENT_CERT, MARKER, roles(READ, WRITE), ProvisioningPlan.Current.MISSING);

        assertThat(plan.statements()).containsExactly(
                "CREATE ROLE \"alice\" LOGIN",
                "GRANT \"pgwarden_managed\" TO \"alice\" WITH INHERIT FALSE, SET FALSE",
                "GRANT \"analytics_read\" TO \"alice\"",
                "GRANT \"app_write\" TO \"alice\"");
        assertThat(plan.created()).isTrue();
        assertThat(plan.granted()).containsExactly(READ, WRITE);
        assertThat(plan.revoked()).isEmpty();
    }

    @Test
    void setRoleCreatesANologinRoleTheServiceAccountMaySetButNotInherit() {
        ProvisioningPlan plan = ProvisioningPlan.login(ALICE, SET_ROLE, MARKER, roles(READ), ProvisioningPlan.Current.MISSING);

        assertThat(plan.statements()).containsExactly(
                "CREATE ROLE \"alice\" NOLOGIN",
                "GRANT \"pgwarden_managed\" TO \"alice\" WITH INHERIT FALSE, SET FALSE",
                "GRANT \"analytics_read\" TO \"alice\"",
                "GRANT \"alice\" TO \"pgwarden_sso\" WITH INHERIT FALSE, SET TRUE");
    }

    @Test
    void beforePostgres16GrantsHaveNoOptions() {
        ProvisioningPlan plan = ProvisioningPlan.login(ALICE, new ProvisioningPlan.Use(false, Optional.of(SSO), false), MARKER,
                roles(), ProvisioningPlan.Current.MISSING);

        assertThat(plan.statements()).containsExactly(
                "CREATE ROLE \"alice\" NOLOGIN",
                "GRANT \"pgwarden_managed\" TO \"alice\"",
                "GRANT \"alice\" TO \"pgwarden_sso\"");
    }

    @Test
    void membershipsBecomeTheDesiredOnesWithinTheManagedSet() {
        ProvisioningPlan plan = ProvisioningPlan.login(ALICE, CLIENT_CERT, MARKER, roles(READ, OPS), managed(true, roles(READ, WRITE),
                false));

        assertThat(plan.statements()).containsExactly(
                "GRANT \"ops\" TO \"alice\"",
                "REVOKE \"app_write\" FROM \"alice\"");
        assertThat(plan.created()).isFalse();
        assertThat(plan.granted()).containsExactly(OPS);
        assertThat(plan.revoked()).containsExactly(WRITE);
    }

    @Test
    void aRoleInStepWithItsTokenNeedsNoStatement() {
        assertThat(ProvisioningPlan.login(ALICE, CLIENT_CERT, MARKER, roles(READ), managed(true, roles(READ), false)).statements())
                .isEmpty();
        assertThat(ProvisioningPlan.login(ALICE, SET_ROLE, MARKER, roles(READ), managed(false, roles(READ), true)).statements())
                .isEmpty();
    }

    @Test
    void theLoginAttributeFollowsTheStrategyAndADeprovisionedRoleLogsInAgain() {
        assertThat(ProvisioningPlan.login(ALICE, CLIENT_CERT, MARKER, roles(), managed(false, roles(), false)).statements())
                .containsExactly("ALTER ROLE \"alice\" LOGIN");
        assertThat(ProvisioningPlan.login(ALICE, SET_ROLE, MARKER, roles(), managed(true, roles(), true)).statements())
                .containsExactly("ALTER ROLE \"alice\" NOLOGIN");
    }

    @Test
    void aRoleThatIsNotManagedIsNeverPlannedFor() {
        ProvisioningPlan.Current handMade = new ProvisioningPlan.Current(true, false, true, roles(), false);

        assertThatThrownBy(() -> ProvisioningPlan.login(ALICE, CLIENT_CERT, MARKER, roles(READ), handMade))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(ProvisioningPlan.deprovision(ALICE, Optional.of(SSO), handMade)).isSameAs(ProvisioningPlan.NOTHING);
    }

    @Test
    void hostileNamesAreQuotedInEveryStatement() {
        RoleName hostile = new RoleName("x\"; DROP ROLE postgres; --");
        ProvisioningPlan plan = ProvisioningPlan.login(hostile, SET_ROLE, MARKER, roles(READ), ProvisioningPlan.Current.MISSING);

        assertThat(plan.statements()).containsExactly(
                "CREATE ROLE \"x\"\"; DROP ROLE postgres; --\" NOLOGIN",
                "GRANT \"pgwarden_managed\" TO \"x\"\"; DROP ROLE postgres; --\" WITH INHERIT FALSE, SET FALSE",
                "GRANT \"analytics_read\" TO \"x\"\"; DROP ROLE postgres; --\"",
                "GRANT \"x\"\"; DROP ROLE postgres; --\" TO \"pgwarden_sso\" WITH INHERIT FALSE, SET TRUE");
    }

    @Test
    void deprovisioningTakesTheLoginAndEveryManagedMembershipAway() {
        ProvisioningPlan plan = ProvisioningPlan.deprovision(ALICE, Optional.of(SSO), managed(true, roles(READ, WRITE), true));

        assertThat(plan.statements()).containsExactly(
                "ALTER ROLE \"alice\" NOLOGIN",
                "REVOKE \"analytics_read\" FROM \"alice\"",
                "REVOKE \"app_write\" FROM \"alice\"",
                "REVOKE \"alice\" FROM \"pgwarden_sso\"");
        assertThat(plan.revoked()).containsExactly(READ, WRITE);
        assertThat(plan.created()).isFalse();
    }

    @Test
    void deprovisioningAMissingOrAlreadyDeprovisionedRoleChangesNothing() {
        assertThat(ProvisioningPlan.deprovision(ALICE, Optional.empty(), ProvisioningPlan.Current.MISSING).statements()).isEmpty();
        assertThat(ProvisioningPlan.deprovision(ALICE, Optional.of(SSO), managed(false, roles(), false)).statements()).isEmpty();
    }

    @Test
    void aUseIsEitherALoginOrTakenByAServiceAccount() {
        assertThatThrownBy(() -> new ProvisioningPlan.Use(true, Optional.of(SSO), true)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ProvisioningPlan.Use(false, Optional.empty(), true)).isInstanceOf(IllegalArgumentException.class);
    }
}
