package io.pgwarden.core.login;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.oauth2.sdk.ErrorObject;
import com.nimbusds.oauth2.sdk.OAuth2Error;
import com.nimbusds.oauth2.sdk.device.DeviceAuthorizationGrantError;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class DevicePollingTest {

    private static final Instant NOW = Instant.parse("2026-11-21T12:00:00Z");
    private static final Instant DEADLINE = NOW.plusSeconds(600);

    @Test
    void pendingPollsAgainAtTheProvidersInterval() {
        DevicePolling polling = new DevicePolling(Duration.ofSeconds(3), DEADLINE);
        assertThat(polling.interval()).isEqualTo(Duration.ofSeconds(3));
        assertThat(polling.afterRefusal(DeviceAuthorizationGrantError.AUTHORIZATION_PENDING, NOW))
                .isEqualTo(Duration.ofSeconds(3));
    }

    @Test
    void withoutAnIntervalItPollsEveryFiveSeconds() {
        assertThat(new DevicePolling(Duration.ZERO, DEADLINE).interval()).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void eachSlowDownAddsFiveSecondsForGood() {
        DevicePolling polling = new DevicePolling(Duration.ofSeconds(5), DEADLINE);
        assertThat(polling.afterRefusal(DeviceAuthorizationGrantError.SLOW_DOWN, NOW)).isEqualTo(Duration.ofSeconds(10));
        assertThat(polling.afterRefusal(DeviceAuthorizationGrantError.SLOW_DOWN, NOW)).isEqualTo(Duration.ofSeconds(15));
        assertThat(polling.afterRefusal(DeviceAuthorizationGrantError.AUTHORIZATION_PENDING, NOW))
                .isEqualTo(Duration.ofSeconds(15));
    }

    @Test
    void anExpiredCodeEndsTheLogin() {
        DevicePolling polling = new DevicePolling(Duration.ofSeconds(5), DEADLINE);
        assertThatThrownBy(() -> polling.afterRefusal(DeviceAuthorizationGrantError.EXPIRED_TOKEN, NOW))
                .isInstanceOf(LoginException.class)
                .hasMessage("the code expired before the sign-in was completed; run pgwarden login again");
    }

    @Test
    void theLoginEndsWhenTheNextPollWouldBeAfterTheCodeExpired() {
        DevicePolling polling = new DevicePolling(Duration.ofSeconds(5), DEADLINE);
        assertThatThrownBy(() -> polling.afterRefusal(DeviceAuthorizationGrantError.AUTHORIZATION_PENDING,
                DEADLINE.minusSeconds(4))).hasMessageStartingWith("the code expired");
    }

    @Test
    void aDenialEndsTheLogin() {
        DevicePolling polling = new DevicePolling(Duration.ofSeconds(5), DEADLINE);
        assertThatThrownBy(() -> polling.afterRefusal(OAuth2Error.ACCESS_DENIED, NOW))
                .hasMessage("the sign-in was denied at the identity provider; nothing was saved");
    }

    @Test
    void anyOtherErrorEndsTheLoginWithTheProvidersWords() {
        DevicePolling polling = new DevicePolling(Duration.ofSeconds(5), DEADLINE);
        assertThatThrownBy(() -> polling.afterRefusal(new ErrorObject("invalid_client", "Invalid client credentials"), NOW))
                .hasMessage("the identity provider refused the device login: invalid_client (Invalid client credentials)");
        assertThatThrownBy(() -> polling.afterRefusal(new ErrorObject(null), NOW))
                .hasMessage("the identity provider refused the device login: an unnamed error");
    }
}
