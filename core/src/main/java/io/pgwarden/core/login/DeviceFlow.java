package io.pgwarden.core.login;

import com.nimbusds.oauth2.sdk.ParseException;
import com.nimbusds.oauth2.sdk.Scope;
import com.nimbusds.oauth2.sdk.device.DeviceAuthorizationRequest;
import com.nimbusds.oauth2.sdk.device.DeviceAuthorizationResponse;
import com.nimbusds.oauth2.sdk.device.DeviceAuthorizationSuccessResponse;
import com.nimbusds.oauth2.sdk.device.DeviceCodeGrant;
import com.nimbusds.oauth2.sdk.http.HTTPResponse;
import com.nimbusds.oauth2.sdk.id.ClientID;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * The OAuth 2.0 device authorization grant (RFC 8628) for a terminal without a browser: asks the provider for a device
 * code, tells the person where to approve it, and polls the token endpoint until they have.
 */
public final class DeviceFlow {

    private final Clock clock;

    /**
     * A device flow.
     *
     * @param clock the clock
     */
    public DeviceFlow(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * Runs the flow.
     *
     * @param provider the provider's endpoints
     * @param clientId the public client's id
     * @param scopes the scopes to ask for
     * @param err where the instructions for the person go
     * @return the tokens
     * @throws LoginException when the provider has no device endpoint, refuses, or the code expires
     * @throws InterruptedException when interrupted while waiting
     */
    public CachedTokens run(ProviderEndpoints provider, String clientId, List<String> scopes, PrintWriter err)
            throws InterruptedException {
        if (provider.deviceAuthorizationEndpoint() == null) {
            throw new LoginException("the provider " + provider.issuer() + " offers no device authorization endpoint;"
                    + " use pgwarden login --browser");
        }
        DeviceAuthorizationSuccessResponse code = authorize(provider, clientId, scopes);
        Instant deadline = clock.instant().plusSeconds(code.getLifetime() > 0 ? code.getLifetime() : 600);
        String userCode = ProviderText.printable(code.getUserCode().getValue());
        if (code.getVerificationURIComplete() != null) {
            err.println("To sign in, open " + code.getVerificationURIComplete());
            err.println("(or open " + code.getVerificationURI() + " and enter the code " + userCode + ")");
        } else {
            err.println("To sign in, open " + code.getVerificationURI());
            err.println("and enter the code " + userCode + ".");
        }
        err.println("Waiting for the sign-in (the code expires in "
                + Duration.between(clock.instant(), deadline).toMinutes() + " minutes)...");
        err.flush();
        DevicePolling polling = new DevicePolling(Duration.ofSeconds(code.getInterval()), deadline);
        TokenEndpoint tokens = new TokenEndpoint(provider, clientId, clock);
        Duration wait = polling.interval();
        while (true) {
            Thread.sleep(wait.toMillis());
            TokenEndpoint.Outcome outcome = tokens.request(new DeviceCodeGrant(code.getDeviceCode()), null);
            if (outcome instanceof TokenEndpoint.Issued issued) {
                return issued.tokens();
            }
            wait = polling.afterRefusal(((TokenEndpoint.Refused) outcome).error(), clock.instant());
        }
    }

    private static DeviceAuthorizationSuccessResponse authorize(ProviderEndpoints provider, String clientId,
                                                                List<String> scopes) {
        HTTPResponse response = OAuthHttp.send(new DeviceAuthorizationRequest(provider.deviceAuthorizationEndpoint(),
                new ClientID(clientId), new Scope(scopes.toArray(String[]::new))).toHTTPRequest());
        DeviceAuthorizationResponse parsed;
        try {
            parsed = DeviceAuthorizationResponse.parse(response);
        } catch (ParseException e) {
            // Without the cause: its message may quote the answer, which holds the device code.
            throw new LoginException("the provider's device authorization endpoint " + provider.deviceAuthorizationEndpoint()
                    + " sent an answer that is not a device authorization response (HTTP " + response.getStatusCode() + ")");
        }
        if (!parsed.indicatesSuccess()) {
            throw new LoginException("the identity provider refused to start a device login for client " + clientId + ": "
                    + new TokenEndpoint.Refused(parsed.toErrorResponse().getErrorObject()).describe()
                    + "; is the device authorization grant enabled for this client?");
        }
        return parsed.toSuccessResponse();
    }
}
