package io.pgwarden.core.login;

import com.nimbusds.oauth2.sdk.AuthorizationCode;
import com.nimbusds.oauth2.sdk.AuthorizationCodeGrant;
import com.nimbusds.oauth2.sdk.AuthorizationRequest;
import com.nimbusds.oauth2.sdk.ResponseType;
import com.nimbusds.oauth2.sdk.Scope;
import com.nimbusds.oauth2.sdk.id.ClientID;
import com.nimbusds.oauth2.sdk.id.State;
import com.nimbusds.oauth2.sdk.pkce.CodeChallengeMethod;
import com.nimbusds.oauth2.sdk.pkce.CodeVerifier;
import java.io.PrintWriter;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * The authorization code flow with PKCE (RFC 7636, S256) and a loopback redirect (RFC 8252) for a person with a
 * browser on this computer: prints the sign-in URL, opens a browser when asked to, takes the code at 127.0.0.1 and
 * exchanges it, with the code verifier, for tokens.
 */
public final class BrowserFlow {

    /** How long the person has to sign in. */
    public static final Duration TIMEOUT = Duration.ofMinutes(5);

    private final Clock clock;

    /**
     * A browser flow.
     *
     * @param clock the clock
     */
    public BrowserFlow(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * Runs the flow.
     *
     * @param provider the provider's endpoints
     * @param clientId the public client's id
     * @param scopes the scopes to ask for
     * @param err where the URL and messages for the person go
     * @param launcher the browser to open, or null to only print the URL
     * @return the tokens
     * @throws LoginException when the provider has no authorization endpoint, the sign-in fails or times out, or the
     *         redirect carries a wrong state
     * @throws InterruptedException when interrupted while waiting
     */
    public CachedTokens run(ProviderEndpoints provider, String clientId, List<String> scopes, PrintWriter err,
                            BrowserLauncher launcher) throws InterruptedException {
        if (provider.authorizationEndpoint() == null) {
            throw new LoginException("the provider " + provider.issuer() + " offers no authorization endpoint;"
                    + " use pgwarden login --device");
        }
        CodeVerifier verifier = new CodeVerifier();
        State state = new State();
        try (LoopbackReceiver receiver = LoopbackReceiver.start(state.getValue())) {
            URI url = new AuthorizationRequest.Builder(new ResponseType(ResponseType.Value.CODE), new ClientID(clientId))
                    .endpointURI(provider.authorizationEndpoint())
                    .redirectionURI(receiver.redirectUri())
                    .scope(new Scope(scopes.toArray(String[]::new)))
                    .state(state)
                    .codeChallenge(verifier, CodeChallengeMethod.S256)
                    .build()
                    .toURI();
            err.println("To sign in, open this URL in a browser on this computer:");
            err.println(url);
            if (launcher != null && !launcher.open(url)) {
                err.println("(no browser could be opened here; open the URL yourself, or use pgwarden login --device)");
            }
            err.println("Waiting for the sign-in...");
            err.flush();
            String code = receiver.await(TIMEOUT);
            TokenEndpoint.Outcome outcome = new TokenEndpoint(provider, clientId, clock)
                    .request(new AuthorizationCodeGrant(new AuthorizationCode(code), receiver.redirectUri(), verifier), null);
            if (outcome instanceof TokenEndpoint.Refused refused) {
                throw new LoginException("the identity provider refused the authorization code: " + refused.describe());
            }
            return ((TokenEndpoint.Issued) outcome).tokens();
        }
    }
}
