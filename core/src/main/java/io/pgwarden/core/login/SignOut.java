package io.pgwarden.core.login;

import com.nimbusds.oauth2.sdk.TokenRevocationRequest;
import com.nimbusds.oauth2.sdk.http.HTTPResponse;
import com.nimbusds.oauth2.sdk.id.ClientID;
import com.nimbusds.oauth2.sdk.token.RefreshToken;
import java.io.PrintWriter;
import java.net.URI;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * {@code pgwarden logout}: revokes the refresh token at the provider when it offers a revocation endpoint (RFC 7009),
 * then deletes the cached tokens. A revocation that fails is a warning: the local tokens are deleted anyway.
 */
public final class SignOut {

    private final TokenCache cache;
    private final Function<URI, ProviderEndpoints> discovery;

    /**
     * Sign-out from a cache.
     *
     * @param cache the token cache
     * @param discovery finds the provider's endpoints ({@link ProviderEndpoints#discover(URI)})
     */
    public SignOut(TokenCache cache, Function<URI, ProviderEndpoints> discovery) {
        this.cache = Objects.requireNonNull(cache, "cache");
        this.discovery = Objects.requireNonNull(discovery, "discovery");
    }

    /**
     * Signs a profile out.
     *
     * @param profile the profile's name
     * @param err where warnings and the result go
     * @return true when there was a login to end
     */
    public boolean run(String profile, PrintWriter err) {
        Optional<CachedTokens> cached;
        try {
            cached = cache.read(profile);
        } catch (LoginException e) {
            err.println("warning: " + e.getMessage().replace("; run pgwarden login --profile " + profile, "")
                    + "; deleting it without revoking at the provider");
            cached = Optional.empty();
        }
        cached.ifPresent(tokens -> revoke(tokens, err));
        boolean deleted = cache.delete(profile);
        err.println(deleted ? "Logged out of profile " + profile + "." : "Not logged in with profile " + profile + ".");
        err.flush();
        return deleted;
    }

    private void revoke(CachedTokens tokens, PrintWriter err) {
        if (tokens.refreshToken() == null) {
            return;
        }
        try {
            ProviderEndpoints provider = discovery.apply(tokens.issuer());
            if (provider.revocationEndpoint() == null) {
                err.println("note: " + tokens.issuer() + " offers no revocation endpoint; the sign-in at the provider"
                        + " ends when it expires there");
                return;
            }
            HTTPResponse response = OAuthHttp.send(new TokenRevocationRequest(provider.revocationEndpoint(),
                    new ClientID(tokens.clientId()), new RefreshToken(tokens.refreshToken())).toHTTPRequest());
            if (response.getStatusCode() != 200) {
                err.println("warning: the provider did not revoke the refresh token (HTTP " + response.getStatusCode()
                        + " from " + provider.revocationEndpoint() + "); the local tokens are deleted anyway");
            }
        } catch (LoginException e) {
            err.println("warning: could not revoke the refresh token: " + e.getMessage()
                    + "; the local tokens are deleted anyway");
        }
    }
}
