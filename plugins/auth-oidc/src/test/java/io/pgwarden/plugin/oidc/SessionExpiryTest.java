package io.pgwarden.plugin.oidc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgwarden.spi.BackendLogin;
import io.pgwarden.spi.Credential;
import io.pgwarden.spi.Decision;
import io.pgwarden.spi.Identity;
import io.pgwarden.spi.PluginConfig;
import io.pgwarden.spi.PluginConfigException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SessionExpiryTest {

    private static final long EXP = 1_795_262_400L; // 2026-11-21T12:00:00Z
    private static final BackendLogin LOGIN = new BackendLogin("main", "app", "alice", Credential.none(), Map.of(), List.of());

    private static SessionExpiry parse(Object section) {
        return SessionExpiry.fromConfig(new PluginConfig("plugins[1]", Map.of("type", "oidc", "session_expiry", section)));
    }

    private static Identity identity(String method, Map<String, Object> claims) {
        return new Identity("sub-alice", "alice", "alice@example.com", Set.of(), method, claims);
    }

    @Test
    void defaultsAreOffWithoutGrace() {
        assertThat(SessionExpiry.fromConfig(new PluginConfig("plugins[1]", Map.of("type", "oidc")))).isEqualTo(SessionExpiry.DISABLED);
        assertThat(parse(Map.of())).isEqualTo(new SessionExpiry(false, Duration.ZERO));
        assertThat(parse(Map.of("enabled", true, "grace", "5m"))).isEqualTo(new SessionExpiry(true, Duration.ofMinutes(5)));
    }

    @Test
    void configErrorsNameTheirPath() {
        assertThatThrownBy(() -> parse(Map.of("enabled", "maybe"))).isInstanceOf(PluginConfigException.class)
                .hasMessageStartingWith("plugins[1].session_expiry.enabled: expected true or false");
        assertThatThrownBy(() -> parse(Map.of("grace", "-1s"))).isInstanceOf(PluginConfigException.class)
                .hasMessageStartingWith("plugins[1].session_expiry.grace: expected a duration");
        assertThatThrownBy(() -> parse(Map.of("grace", "25h"))).isInstanceOf(PluginConfigException.class)
                .hasMessage("plugins[1].session_expiry.grace: must be at most 24h");
        assertThatThrownBy(() -> parse(Map.of("enabled", true, "lifetime", "1h"))).isInstanceOf(PluginConfigException.class)
                .hasMessage("plugins[1].session_expiry.lifetime: unknown setting; session_expiry has enabled and grace");
    }

    @Test
    void enabledSetsTheDeadlineAtExpiryPlusGraceWithTheMessageOfTheBrief() {
        FakeAuthContext context = new FakeAuthContext(identity("oidc", Map.of("exp", EXP, "sub", "sub-alice")), LOGIN);

        assertThat(new SessionExpiry(true, Duration.ofSeconds(90)).apply(context)).isSameAs(Decision.proceed());

        assertThat(context.deadline).isEqualTo(Instant.ofEpochSecond(EXP + 90));
        assertThat(context.expiryMessage)
                .isEqualTo("the sign-in of alice@example.com expired at 2026-11-21T12:00:00Z; sign in again with a new token");
    }

    @Test
    void anExpInThePastIsPassedOnSoTheCoreEndsTheSessionAtOnce() {
        long past = Instant.now().minusSeconds(3600).getEpochSecond();
        FakeAuthContext context = new FakeAuthContext(identity("oidc", Map.of("exp", past)),
                LOGIN);

        new SessionExpiry(true, Duration.ZERO).apply(context);

        assertThat(context.deadline).isEqualTo(Instant.ofEpochSecond(past));
    }

    @Test
    void aSessionOfMethodOauthEndsAtItsTokensExpiryToo() {
        FakeAuthContext context = new FakeAuthContext(identity("oauth", Map.of("exp", EXP)), LOGIN);

        assertThat(new SessionExpiry(true, Duration.ZERO).apply(context)).isSameAs(Decision.proceed());

        assertThat(context.deadline).isEqualTo(Instant.ofEpochSecond(EXP));
    }

    @Test
    void disabledOrAnotherMethodSetsNothing() {
        FakeAuthContext disabled = new FakeAuthContext(identity("oidc", Map.of("exp", EXP)), LOGIN);
        FakeAuthContext scram = new FakeAuthContext(identity("scram-sha-256", Map.of("exp", EXP)), LOGIN);

        assertThat(SessionExpiry.DISABLED.apply(disabled)).isSameAs(Decision.proceed());
        assertThat(new SessionExpiry(true, Duration.ZERO).apply(scram)).isSameAs(Decision.proceed());

        assertThat(disabled.deadline).isNull();
        assertThat(scram.deadline).isNull();
    }

    @Test
    void anIdentityWithoutAReadableExpIsRefusedWhenEnabled() {
        for (Map<String, Object> claims : List.<Map<String, Object>>of(Map.of(), Map.of("exp", "tomorrow"))) {
            FakeAuthContext context = new FakeAuthContext(identity("oidc", claims), LOGIN);

            Decision decision = new SessionExpiry(true, Duration.ZERO).apply(context);

            assertThat(decision).isEqualTo(Decision.reject("28000", SessionExpiry.NO_EXPIRY, null));
            assertThat(context.deadline).isNull();
        }
    }
}
