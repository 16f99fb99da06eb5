package io.pgwarden.core.login;

import com.nimbusds.oauth2.sdk.ErrorObject;
import com.nimbusds.oauth2.sdk.OAuth2Error;
import com.nimbusds.oauth2.sdk.device.DeviceAuthorizationGrantError;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * How the device flow polls the token endpoint (RFC 8628 section 3.5): at the interval the provider gave (5 s when it
 * gave none), 5 s slower after each {@code slow_down}, again after {@code authorization_pending}, and not after the
 * device code expires; {@code expired_token}, {@code access_denied} and any other error end the login.
 */
final class DevicePolling {

    /** RFC 8628 section 3.2: the interval when the provider names none. */
    static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(5);
    /** RFC 8628 section 3.5: what {@code slow_down} adds. */
    static final Duration SLOW_DOWN_STEP = Duration.ofSeconds(5);

    private final Instant deadline;
    private Duration interval;

    /**
     * Polling for a device code.
     *
     * @param interval the provider's interval, or zero when it gave none
     * @param deadline when the device code expires
     */
    DevicePolling(Duration interval, Instant deadline) {
        this.interval = interval.isZero() || interval.isNegative() ? DEFAULT_INTERVAL : interval;
        this.deadline = Objects.requireNonNull(deadline, "deadline");
    }

    /**
     * The wait before the first poll.
     *
     * @return the interval
     */
    Duration interval() {
        return interval;
    }

    /**
     * Decides what to do after the token endpoint refused.
     *
     * @param error the provider's error
     * @param now the time now
     * @return how long to wait before polling again
     * @throws LoginException when the login has ended: expired, denied, or another error
     */
    Duration afterRefusal(ErrorObject error, Instant now) {
        String code = error.getCode() == null ? "" : error.getCode();
        if (code.equals(DeviceAuthorizationGrantError.SLOW_DOWN.getCode())) {
            interval = interval.plus(SLOW_DOWN_STEP);
        } else if (code.equals(DeviceAuthorizationGrantError.EXPIRED_TOKEN.getCode())) {
            throw expired();
        } else if (code.equals(OAuth2Error.ACCESS_DENIED.getCode())) {
            throw new LoginException("the sign-in was denied at the identity provider; nothing was saved");
        } else if (!code.equals(DeviceAuthorizationGrantError.AUTHORIZATION_PENDING.getCode())) {
            throw new LoginException("the identity provider refused the device login: "
                    + new TokenEndpoint.Refused(error).describe());
        }
        if (now.plus(interval).isAfter(deadline)) {
            throw expired();
        }
        return interval;
    }

    private static LoginException expired() {
        return new LoginException("the code expired before the sign-in was completed; run pgwarden login again");
    }
}
