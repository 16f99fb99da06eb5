package io.pgwarden.core.login;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The decisions that need no provider: hand out, refuse, or (when a refresh would be needed) ask discovery. */
class FreshTokensTest {

    private static final URI ISSUER = URI.create("https://login.example.com/realms/main");
    private static final Instant NOW = Instant.parse("2026-11-21T12:00:00Z");
    private static final Function<URI, ProviderEndpoints> NO_PROVIDER = issuer -> {
        throw new AssertionError("the provider was asked although no refresh was needed");
    };

    @TempDir
    Path directory;

    private TokenCache cache() {
        return new TokenCache(directory.resolve("tokens"));
    }

    private FreshTokens fresh(Function<URI, ProviderEndpoints> discovery) {
        return new FreshTokens(cache(), Clock.fixed(NOW, ZoneOffset.UTC), discovery);
    }

    @Test
    void aTokenValidForLongEnoughIsHandedOutWithoutAskingTheProvider() {
        cache().write("default", new CachedTokens(ISSUER, "cli", "access", "refresh", NOW.plusSeconds(300)));
        assertThat(fresh(NO_PROVIDER).accessToken("default", LoginProfile.EMPTY, Duration.ofSeconds(60)))
                .isEqualTo("access");
    }

    @Test
    void withoutALoginItSaysToLogIn() {
        assertThatThrownBy(() -> fresh(NO_PROVIDER).accessToken("work", LoginProfile.EMPTY, Duration.ofSeconds(60)))
                .isInstanceOf(LoginException.class)
                .hasMessage("not logged in with profile work; run pgwarden login --profile work");
    }

    @Test
    void anExpiringTokenWithoutRefreshTokenMeansTheLoginExpired() {
        cache().write("default", new CachedTokens(ISSUER, "cli", "access", null, NOW.plusSeconds(30)));
        assertThatThrownBy(() -> fresh(NO_PROVIDER).accessToken("default", LoginProfile.EMPTY, Duration.ofSeconds(60)))
                .hasMessage("login expired (the identity provider gave no refresh token); run pgwarden login --profile"
                        + " default");
    }

    @Test
    void aLoginWithAnotherIssuerThanTheProfileIsNotUsed() {
        cache().write("default", new CachedTokens(ISSUER, "cli", "access", "refresh", NOW.plusSeconds(300)));
        LoginProfile other = new LoginProfile(URI.create("https://other.example.com"), null, null, null, null, null, null,
                null);
        assertThatThrownBy(() -> fresh(NO_PROVIDER).accessToken("default", other, Duration.ZERO))
                .hasMessage("the login of profile default is with " + ISSUER + ", but the profile names the issuer"
                        + " https://other.example.com; run pgwarden login --profile default");
        LoginProfile otherClient = new LoginProfile(null, "other-cli", null, null, null, null, null, null);
        assertThatThrownBy(() -> fresh(NO_PROVIDER).accessToken("default", otherClient, Duration.ZERO))
                .hasMessageContaining("is for client cli, but the profile names the client other-cli");
    }

    @Test
    void anExpiringTokenIsRefreshedAtTheIssuerOfTheLogin() {
        cache().write("default", new CachedTokens(ISSUER, "cli", "access", "refresh", NOW.plusSeconds(30)));
        URI[] asked = new URI[1];
        Function<URI, ProviderEndpoints> unreachable = issuer -> {
            asked[0] = issuer;
            throw new LoginException("cannot reach " + issuer);
        };
        assertThatThrownBy(() -> fresh(unreachable).accessToken("default", LoginProfile.EMPTY, Duration.ofSeconds(60)))
                .hasMessage("cannot reach " + ISSUER);
        assertThat(asked[0]).isEqualTo(ISSUER);
    }
}
