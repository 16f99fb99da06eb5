package io.pgwarden.core.login;

import com.nimbusds.jwt.JWTParser;
import com.nimbusds.oauth2.sdk.AuthorizationGrant;
import com.nimbusds.oauth2.sdk.ErrorObject;
import com.nimbusds.oauth2.sdk.ParseException;
import com.nimbusds.oauth2.sdk.Scope;
import com.nimbusds.oauth2.sdk.TokenRequest;
import com.nimbusds.oauth2.sdk.TokenResponse;
import com.nimbusds.oauth2.sdk.http.HTTPResponse;
import com.nimbusds.oauth2.sdk.id.ClientID;
import com.nimbusds.oauth2.sdk.token.AccessToken;
import com.nimbusds.oauth2.sdk.token.RefreshToken;
import java.time.Clock;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Objects;

/**
 * The provider's token endpoint, for a public client: exchanges a grant (device code, authorization code with PKCE,
 * refresh token) for tokens, or says why the provider refused.
 */
final class TokenEndpoint {

    private final ProviderEndpoints provider;
    private final ClientID clientId;
    private final Clock clock;

    /**
     * The token endpoint of a provider, for a client.
     *
     * @param provider the provider's endpoints
     * @param clientId the public client's id
     * @param clock the clock that dates the expiry
     */
    TokenEndpoint(ProviderEndpoints provider, String clientId, Clock clock) {
        this.provider = Objects.requireNonNull(provider, "provider");
        this.clientId = new ClientID(Objects.requireNonNull(clientId, "clientId"));
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * Asks for tokens.
     *
     * @param grant the grant
     * @param scopes the scopes to ask for, or null for none (a refresh keeps the granted ones)
     * @return the tokens or the provider's refusal
     * @throws LoginException when the provider cannot be reached or its answer is not a token response
     */
    Outcome request(AuthorizationGrant grant, List<String> scopes) {
        Scope scope = scopes == null ? null : new Scope(scopes.toArray(String[]::new));
        HTTPResponse response = OAuthHttp.send(new TokenRequest(provider.tokenEndpoint(), clientId, grant, scope)
                .toHTTPRequest());
        TokenResponse parsed;
        try {
            parsed = TokenResponse.parse(response);
        } catch (ParseException e) {
            // Without the cause: its message may quote the answer, which may hold a token.
            throw new LoginException("the provider's token endpoint " + provider.tokenEndpoint() + " sent an answer that"
                    + " is not a token response (HTTP " + response.getStatusCode() + ")");
        }
        if (!parsed.indicatesSuccess()) {
            return new Refused(parsed.toErrorResponse().getErrorObject());
        }
        AccessToken access = parsed.toSuccessResponse().getTokens().getAccessToken();
        RefreshToken refresh = parsed.toSuccessResponse().getTokens().getRefreshToken();
        return new Issued(new CachedTokens(provider.issuer(), clientId.getValue(), access.getValue(),
                refresh == null ? null : refresh.getValue(), expiry(access)));
    }

    /** From expires_in; without it, from the token's own exp when it is a JWT; otherwise unknown. */
    private Instant expiry(AccessToken access) {
        if (access.getLifetime() > 0) {
            return clock.instant().plusSeconds(access.getLifetime());
        }
        try {
            // Read unverified, only to know when to refresh: the proxy verifies the token.
            Date exp = JWTParser.parse(access.getValue()).getJWTClaimsSet().getExpirationTime();
            return exp == null ? null : exp.toInstant();
        } catch (java.text.ParseException e) {
            return null;
        }
    }

    /** The answer of the token endpoint. */
    sealed interface Outcome permits Issued, Refused {
    }

    /**
     * Tokens were issued.
     *
     * @param tokens the tokens
     */
    record Issued(CachedTokens tokens) implements Outcome {
    }

    /**
     * The provider refused, with an OAuth error ({@code invalid_grant}, {@code authorization_pending}, ...).
     *
     * @param error the error
     */
    record Refused(ErrorObject error) implements Outcome {

        /**
         * The error code and, when the provider gave one, its description, for a message.
         *
         * @return for instance {@code invalid_grant (Token is not active)}
         */
        String describe() {
            String code = error.getCode() == null ? "an unnamed error" : ProviderText.printable(error.getCode());
            return error.getDescription() == null ? code : code + " (" + ProviderText.printable(error.getDescription()) + ")";
        }
    }
}
