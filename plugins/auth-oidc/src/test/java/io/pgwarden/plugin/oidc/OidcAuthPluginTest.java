package io.pgwarden.plugin.oidc;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgwarden.spi.AuthContext;
import io.pgwarden.spi.Decision;
import io.pgwarden.spi.Interceptor;
import io.pgwarden.spi.QueryContext;
import io.pgwarden.testkit.spi.CapturingLogger;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class OidcAuthPluginTest {

    private final CapturingLogger logger = new CapturingLogger();
    private final OidcAuthenticator authenticator = new OidcAuthenticator(new TokenLogin(
            new OidcAuthSettings("plugins[0]", 16384, OidcAuthSettings.StartupUser.MATCH, "set-role", Set.of("set-role")),
            new FakeParts().parts(), new OidcMetrics(new RecordingMetrics(), List.of()), logger), Runnable::run);

    /** The core calls onQuery only on a class that overrides it (PluginInterceptor.overrides). */
    private static boolean overrides(Interceptor interceptor, String method, Class<?> parameter) throws Exception {
        return interceptor.getClass().getMethod(method, parameter).getDeclaringClass() != Interceptor.class;
    }

    @Test
    void withoutSetRoleThePluginDoesNotHookStatements() throws Exception {
        OidcAuthPlugin plugin = OidcAuthPlugin.create(List.of(authenticator), () -> { }, logger, null, SessionExpiry.DISABLED,
                ConnectionLimits.NONE);

        assertThat(overrides(plugin, "onQuery", QueryContext.class)).isFalse();
        FakeAuthContext context = new FakeAuthContext(RoleChangeGuardTest.oidcIdentity("alice"), RoleChangeGuardTest.setRoleLogin("alice"));
        assertThat(plugin.onAuth(context)).isSameAs(Decision.proceed());
        assertThat(context.attributes).isEmpty();
    }

    @Test
    void withSetRoleThePluginMarksAtAuthenticationAndGuardsStatements() throws Exception {
        OidcAuthPlugin plugin = OidcAuthPlugin.create(List.of(authenticator), () -> { }, logger,
                new RoleChangeGuard("pgwarden_sso", logger),
                SessionExpiry.DISABLED, ConnectionLimits.NONE);

        assertThat(overrides(plugin, "onQuery", QueryContext.class)).isTrue();
        assertThat(overrides(plugin, "onAuth", AuthContext.class)).isTrue();
        FakeAuthContext context = new FakeAuthContext(RoleChangeGuardTest.oidcIdentity("alice"), RoleChangeGuardTest.setRoleLogin("alice"));
        assertThat(plugin.onAuth(context)).isSameAs(Decision.proceed());
        assertThat(plugin.onQuery(new FakeQuery(context, "RESET ROLE"))).isInstanceOf(Decision.Reject.class);
        assertThat(plugin.onQuery(new FakeQuery(context, "RESET ALL"))).isSameAs(Decision.proceed());
        assertThat(plugin.authenticators()).containsExactly(authenticator);
        assertThat(context.deadline).isNull();
    }

    @Test
    void withSessionExpiryOnAuthSetsTheDeadlineAfterMarking() {
        OidcAuthPlugin plugin = OidcAuthPlugin.create(List.of(authenticator), () -> { }, logger,
                new RoleChangeGuard("pgwarden_sso", logger),
                new SessionExpiry(true, java.time.Duration.ofSeconds(30)), ConnectionLimits.NONE);
        FakeAuthContext context = new FakeAuthContext(RoleChangeGuardTest.oidcIdentity("alice"), RoleChangeGuardTest.setRoleLogin("alice"));

        assertThat(plugin.onAuth(context)).isSameAs(Decision.proceed());

        assertThat(context.attributes).containsKey(RoleChangeGuard.ATTRIBUTE);
        assertThat(context.deadline).isEqualTo(java.time.Instant.ofEpochSecond(1_800_000_030L));
    }

    @Test
    void aSessionRefusedByTheGuardGetsNoDeadline() {
        OidcAuthPlugin plugin = OidcAuthPlugin.create(List.of(authenticator), () -> { }, logger,
                new RoleChangeGuard("pgwarden_sso", logger),
                new SessionExpiry(true, java.time.Duration.ZERO), ConnectionLimits.NONE);
        FakeAuthContext context = new FakeAuthContext(RoleChangeGuardTest.oidcIdentity("alice"), RoleChangeGuardTest.setRoleLogin("alice"));
        context.startupParameters.put("client_encoding", "BIG5");

        assertThat(plugin.onAuth(context)).isInstanceOf(Decision.Reject.class);
        assertThat(context.deadline).isNull();
    }
}
