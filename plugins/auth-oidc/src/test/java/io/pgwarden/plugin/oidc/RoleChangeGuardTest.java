package io.pgwarden.plugin.oidc;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgwarden.spi.BackendLogin;
import io.pgwarden.spi.Credential;
import io.pgwarden.spi.Decision;
import io.pgwarden.spi.Identity;
import io.pgwarden.testkit.spi.CapturingLogger;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RoleChangeGuardTest {

    private final CapturingLogger logger = new CapturingLogger();
    private final RoleChangeGuard guard = new RoleChangeGuard("pgwarden_sso", logger);

    static Identity oidcIdentity(String role) {
        return new Identity("sub-" + role, role, role + "@example.com", Set.of("analysts"), "oidc", Map.of("exp", 1_800_000_000L));
    }

    static BackendLogin setRoleLogin(String role) {
        return new BackendLogin("main", "app", "pgwarden_sso", Credential.password("x"), Map.of("role", role), List.of());
    }

    @Test
    void aSessionThatLogsInAsTheServiceAccountForAnOidcPersonIsMarkedWithTheRole() {
        FakeAuthContext context = new FakeAuthContext(oidcIdentity("alice"), setRoleLogin("alice"));

        assertThat(guard.mark(context)).isSameAs(Decision.proceed());

        assertThat(context.attributes).containsEntry(RoleChangeGuard.ATTRIBUTE, "alice");
    }

    @Test
    void aSessionOfMethodOauthIsMarkedToo() {
        Identity oauth = new Identity("sub-alice", "alice", "alice@example.com", Set.of("analysts"), "oauth",
                Map.of("exp", 1_800_000_000L));
        FakeAuthContext context = new FakeAuthContext(oauth, setRoleLogin("alice"));

        assertThat(guard.mark(context)).isSameAs(Decision.proceed());

        assertThat(context.attributes).containsEntry(RoleChangeGuard.ATTRIBUTE, "alice");
    }

    @Test
    void otherSessionsAreNotMarked() {
        FakeAuthContext otherUser = new FakeAuthContext(oidcIdentity("alice"),
                setRoleLogin("alice").withUser("analyst_ro", Credential.none()));
        FakeAuthContext otherMethod = new FakeAuthContext(Identity.ofUser("pgwarden_sso", "scram-sha-256"), setRoleLogin("x"));

        assertThat(guard.mark(otherUser)).isSameAs(Decision.proceed());
        assertThat(guard.mark(otherMethod)).isSameAs(Decision.proceed());

        assertThat(otherUser.attributes).isEmpty();
        assertThat(otherMethod.attributes).isEmpty();
    }

    @Test
    void aSetRoleSessionWithAnEncodingTheGuardCannotReadIsRefused() {
        FakeAuthContext context = new FakeAuthContext(oidcIdentity("alice"), setRoleLogin("alice"));
        context.startupParameters.put("client_encoding", "SJIS");

        Decision decision = guard.mark(context);

        assertThat(decision).isInstanceOf(Decision.Reject.class);
        assertThat(((Decision.Reject) decision).message()).isEqualTo(RoleChangeGuard.ENCODING_MESSAGE);
        assertThat(context.attributes).isEmpty();
    }

    @Test
    void aMarkedSessionsRoleChangeIsRefusedWith42501AndAHint() {
        FakeAuthContext session = new FakeAuthContext(oidcIdentity("alice"), setRoleLogin("alice"));
        guard.mark(session);

        Decision decision = guard.check(new FakeQuery(session, "SELECT 1; SET ROLE bob"));

        assertThat(decision).isEqualTo(Decision.reject("42501", "pgwarden: changing the role is not allowed in a set-role session",
                "the statement holds SET ROLE or SET SESSION AUTHORIZATION; this session keeps the role \"alice\" (pgwarden's set-role "
                        + "strategy)"));
        assertThat(guard.check(new FakeQuery(session, "SELECT role FROM users"))).isSameAs(Decision.proceed());
    }

    @Test
    void anUnmarkedSessionsTextIsNeverDecoded() {
        FakeAuthContext session = new FakeAuthContext(oidcIdentity("alice"), setRoleLogin("alice").withUser("app", Credential.none()));
        guard.mark(session);
        FakeQuery query = new FakeQuery(session, "SET ROLE bob");

        assertThat(guard.check(query)).isSameAs(Decision.proceed());

        assertThat(query.sqlCalls).isZero();
    }
}
