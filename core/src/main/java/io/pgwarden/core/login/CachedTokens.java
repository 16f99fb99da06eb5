package io.pgwarden.core.login;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * What a login leaves in the token cache: the tokens, when the access token expires, and whom they are from (so that a
 * profile that now names another issuer or client does not use them).
 *
 * @param issuer the issuer that issued them
 * @param clientId the client they were issued to
 * @param accessToken the access token
 * @param refreshToken the refresh token, or null when the provider gave none
 * @param expiresAt when the access token expires, or null when neither the response nor the token says
 */
public record CachedTokens(URI issuer, String clientId, String accessToken, String refreshToken, Instant expiresAt) {

    /**
     * Tokens; issuer, client and access token are required.
     */
    public CachedTokens {
        Objects.requireNonNull(issuer, "issuer");
        Objects.requireNonNull(clientId, "clientId");
        Objects.requireNonNull(accessToken, "accessToken");
    }

    /**
     * Tells whether the access token is still good for at least {@code margin}: a token whose expiry is unknown is
     * taken as good (the proxy decides).
     *
     * @param now the time now
     * @param margin how long it must stay valid
     * @return true when it can be handed out without a refresh
     */
    public boolean validFor(Instant now, Duration margin) {
        return expiresAt == null || expiresAt.isAfter(now.plus(margin));
    }

    /**
     * The same login with new tokens from a refresh: a provider that does not rotate refresh tokens sends none, and
     * the old one stays.
     *
     * @param refreshed the refresh's tokens
     * @return the updated login
     */
    public CachedTokens refreshedBy(CachedTokens refreshed) {
        return new CachedTokens(issuer, clientId, refreshed.accessToken,
                refreshed.refreshToken != null ? refreshed.refreshToken : refreshToken, refreshed.expiresAt);
    }

    /** Names the issuer, client and expiry; never the tokens. */
    @Override
    public String toString() {
        return "CachedTokens[issuer=" + issuer + ", clientId=" + clientId + ", refreshToken="
                + (refreshToken == null ? "none" : "present") + ", expiresAt=" + expiresAt + "]";
    }
}
