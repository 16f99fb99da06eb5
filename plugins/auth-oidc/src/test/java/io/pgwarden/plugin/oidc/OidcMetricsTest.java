package io.pgwarden.plugin.oidc;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class OidcMetricsTest {

    private final RecordingMetrics registry = new RecordingMetrics();
    private final OidcMetrics metrics = new OidcMetrics(registry, List.of("https://a", "https://b"));

    @Test
    void everyCounterOfTheConfiguredIssuersExistsBeforeTheFirstLogin() {
        for (String issuer : List.of("https://a", "https://b", "unknown")) {
            assertThat(registry.logins(issuer)).isZero();
            for (TokenRejectedException.Reason reason : TokenRejectedException.Reason.values()) {
                assertThat(registry.failures(issuer, reason.tag())).isZero();
            }
            for (OidcMetrics.Refusal refusal : OidcMetrics.Refusal.values()) {
                assertThat(registry.failures(issuer, refusal.tag())).isZero();
            }
        }
    }

    @Test
    void anIssuerThatIsNotConfiguredIsCountedAsUnknownSoStrangersCannotCreateSeries() {
        metrics.rejected("https://evil/" + System.nanoTime(), TokenRejectedException.Reason.BAD_SIGNATURE);
        metrics.rejected(null, TokenRejectedException.Reason.TOO_LARGE);
        metrics.refused("https://a", OidcMetrics.Refusal.STARTUP_USER);
        metrics.login("https://b");

        assertThat(registry.failures("unknown", "signature")).isEqualTo(1);
        assertThat(registry.failures("unknown", "too_large")).isEqualTo(1);
        assertThat(registry.failures("https://a", "startup_user")).isEqualTo(1);
        assertThat(registry.logins("https://b")).isEqualTo(1);
        assertThat(registry.counts().keySet()).noneMatch(key -> key.contains("evil"));
    }
}
