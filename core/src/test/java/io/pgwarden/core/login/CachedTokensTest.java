package io.pgwarden.core.login;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class CachedTokensTest {

    private static final URI ISSUER = URI.create("https://login.example.com");
    private static final Instant NOW = Instant.parse("2026-11-21T12:00:00Z");

    private static CachedTokens expiringAt(Instant expiresAt) {
        return new CachedTokens(ISSUER, "cli", "access", "refresh", expiresAt);
    }

    @Test
    void aTokenIsHandedOutWhileItOutlivesTheMargin() {
        Duration margin = Duration.ofSeconds(60);
        assertThat(expiringAt(NOW.plusSeconds(61)).validFor(NOW, margin)).isTrue();
        assertThat(expiringAt(NOW.plusSeconds(60)).validFor(NOW, margin)).isFalse();
        assertThat(expiringAt(NOW.minusSeconds(1)).validFor(NOW, margin)).isFalse();
        assertThat(expiringAt(NOW.plusSeconds(1)).validFor(NOW, Duration.ZERO)).isTrue();
    }

    @Test
    void aTokenOfUnknownExpiryIsHandedOut() {
        assertThat(expiringAt(null).validFor(NOW, Duration.ofHours(1))).isTrue();
    }

    @Test
    void aRefreshWithoutNewRefreshTokenKeepsTheOldOne() {
        CachedTokens refreshed = expiringAt(NOW).refreshedBy(new CachedTokens(ISSUER, "cli", "new", null,
                NOW.plusSeconds(300)));
        assertThat(refreshed).isEqualTo(new CachedTokens(ISSUER, "cli", "new", "refresh", NOW.plusSeconds(300)));
        CachedTokens rotated = expiringAt(NOW).refreshedBy(new CachedTokens(ISSUER, "cli", "new", "rotated", null));
        assertThat(rotated.refreshToken()).isEqualTo("rotated");
    }
}
