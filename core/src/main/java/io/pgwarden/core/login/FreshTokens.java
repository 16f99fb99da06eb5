package io.pgwarden.core.login;

import com.nimbusds.oauth2.sdk.RefreshTokenGrant;
import com.nimbusds.oauth2.sdk.token.RefreshToken;
import java.io.IOException;
import java.net.URI;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Function;

/**
 * An access token that is good for a while yet: the cached one, or, when it expires within the margin, a new one from
 * the refresh token, saved back to the cache. Without a refresh token, or when the provider refuses it (the session
 * ended, was revoked, or idled out), the login has expired and the person must sign in again.
 */
public final class FreshTokens {

    /** How long a token handed out stays valid at least, unless told otherwise. */
    public static final Duration DEFAULT_MIN_VALIDITY = Duration.ofSeconds(60);

    private final TokenCache cache;
    private final Clock clock;
    private final Function<URI, ProviderEndpoints> discovery;

    /**
     * Fresh tokens from a cache.
     *
     * @param cache the token cache
     * @param clock the clock
     * @param discovery finds the provider's endpoints for a refresh ({@link ProviderEndpoints#discover(URI)})
     */
    public FreshTokens(TokenCache cache, Clock clock, Function<URI, ProviderEndpoints> discovery) {
        this.cache = Objects.requireNonNull(cache, "cache");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.discovery = Objects.requireNonNull(discovery, "discovery");
    }

    /**
     * An access token of a profile that stays valid for at least {@code minValidity}, or as long as the provider's
     * tokens live when that is shorter.
     *
     * @param profile the profile's name
     * @param settings the profile's settings: when they name an issuer or client, the login must be theirs
     * @param minValidity how long the token must stay valid
     * @return the access token
     * @throws LoginException when not logged in, the login expired or is for another issuer, or the provider cannot be
     *         reached for a needed refresh
     */
    public String accessToken(String profile, LoginProfile settings, Duration minValidity) {
        CachedTokens cached = current(profile, settings);
        if (cached.validFor(clock.instant(), minValidity)) {
            return cached.accessToken();
        }
        // Two commands refreshing at once would spend the same refresh token twice; a provider that rotates refresh
        // tokens takes that for a replay and ends the session. The second one waits and finds the first one's token.
        try (FileChannel channel = FileChannel.open(lockFile(profile), StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            // Released when the channel closes.
            channel.lock();
            cached = current(profile, settings);
            if (cached.validFor(clock.instant(), minValidity)) {
                return cached.accessToken();
            }
            CachedTokens refreshed = refresh(profile, cached);
            cache.write(profile, refreshed);
            return refreshed.accessToken();
        } catch (IOException e) {
            throw new LoginException("cannot lock the token cache " + cache.file(profile) + ": " + e.getMessage(), e);
        }
    }

    private CachedTokens current(String profile, LoginProfile settings) {
        CachedTokens cached = cache.read(profile)
                .orElseThrow(() -> LoginException.loginNeeded(profile, "not logged in with profile " + profile));
        if (settings.issuer() != null && !settings.issuer().equals(cached.issuer())) {
            throw LoginException.loginNeeded(profile, "the login of profile " + profile + " is with " + cached.issuer()
                    + ", but the profile names the issuer " + settings.issuer());
        }
        if (settings.clientId() != null && !settings.clientId().equals(cached.clientId())) {
            throw LoginException.loginNeeded(profile, "the login of profile " + profile + " is for client "
                    + cached.clientId() + ", but the profile names the client " + settings.clientId());
        }
        return cached;
    }

    private CachedTokens refresh(String profile, CachedTokens cached) {
        if (cached.refreshToken() == null) {
            throw LoginException.loginNeeded(profile, "login expired (the identity provider gave no refresh token)");
        }
        ProviderEndpoints provider = discovery.apply(cached.issuer());
        TokenEndpoint.Outcome outcome = new TokenEndpoint(provider, cached.clientId(), clock)
                .request(new RefreshTokenGrant(new RefreshToken(cached.refreshToken())), null);
        if (outcome instanceof TokenEndpoint.Refused refused) {
            throw LoginException.loginNeeded(profile, "login expired (the identity provider refused the refresh: "
                    + refused.describe() + ")");
        }
        return cached.refreshedBy(((TokenEndpoint.Issued) outcome).tokens());
    }

    private Path lockFile(String profile) {
        Path file = cache.file(profile);
        PrivateFiles.ownerOnlyDirectory(file.getParent());
        return file.resolveSibling(profile + ".lock");
    }
}
