package io.pgwarden.plugin.oidc;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.source.RateLimitReachedException;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.BadJWSException;
import com.nimbusds.jose.proc.DefaultJOSEObjectTypeVerifier;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.BadJWTException;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import com.nimbusds.jwt.proc.ExpiredJWTException;
import io.pgwarden.plugin.oidc.TokenRejectedException.Reason;
import io.pgwarden.spi.PluginConfig;
import io.pgwarden.spi.PluginConfigException;
import io.pgwarden.spi.Services;
import java.io.Closeable;
import java.text.ParseException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Validates access tokens of the configured issuers ({@code max_token_size} and {@code issuers} of
 * the plugin's section). A token is routed to its issuer by its unverified {@code iss}; then its
 * algorithm is checked against the issuer's allow-list before any key is looked at (so {@code none}
 * and HMAC, with whatever secret, never reach a verifier), the signature is verified with the
 * issuer's keys ({@link IssuerKeys}), and the claims are checked: {@code iss} exactly, {@code aud}
 * containing a configured audience, {@code exp} required and {@code nbf} honoured with the issuer's
 * {@code clock_skew}, and the required scopes. Safe for concurrent use.
 *
 * <p>The messages of {@link TokenRejectedException} are for the log; they never hold the token.
 */
final class TokenValidator implements Closeable {

    /** {@code typ} values of access tokens: none, plain JWT, and RFC 9068's. */
    private static final DefaultJOSEObjectTypeVerifier<SecurityContext> TYPES = new DefaultJOSEObjectTypeVerifier<>(
            JOSEObjectType.JWT, new JOSEObjectType("at+jwt"), new JOSEObjectType("application/at+jwt"), null);

    private final int maxTokenSize;
    private final Map<String, Issuer> issuers;

    private TokenValidator(int maxTokenSize, Map<String, Issuer> issuers) {
        this.maxTokenSize = maxTokenSize;
        this.issuers = issuers;
    }

    /** One configured issuer with its keys and its Nimbus processor. */
    private record Issuer(IssuerSettings settings, IssuerKeys keys, DefaultJWTProcessor<SecurityContext> processor) {
    }

    /**
     * Reads {@code max_token_size} and {@code issuers} from the plugin's section (other keys are left
     * to the plugin's settings) and prepares each issuer's keys. Remote keys are fetched on first use.
     *
     * @param pluginSection the plugin's section, e.g. {@code plugins[2]}
     * @param services the plugin's services (logger and clock)
     * @return the validator; close it with the plugin
     * @throws PluginConfigException naming the YAML path of the first problem
     */
    static TokenValidator fromConfig(PluginConfig pluginSection, Services services) {
        Objects.requireNonNull(pluginSection, "pluginSection");
        Objects.requireNonNull(services, "services");
        int maxTokenSize = OidcAuthSettings.maxTokenSize(pluginSection);
        List<PluginConfig> sections = pluginSection.sections("issuers");
        if (sections.isEmpty()) {
            throw new PluginConfigException(pluginSection.pathOf("issuers"), "needs at least one issuer");
        }
        List<IssuerSettings> parsed = new ArrayList<>();
        Map<String, String> seen = new LinkedHashMap<>();
        for (PluginConfig section : sections) {
            IssuerSettings settings = IssuerSettings.parse(section);
            String earlier = seen.putIfAbsent(settings.issuer(), settings.path());
            if (earlier != null) {
                throw new PluginConfigException(settings.pathOf("issuer"), "is configured twice (also " + earlier + ")");
            }
            parsed.add(settings);
        }
        Map<String, Issuer> issuers = new LinkedHashMap<>();
        try {
            for (IssuerSettings settings : parsed) {
                IssuerKeys keys = IssuerKeys.create(settings, services.logger());
                issuers.put(settings.issuer(), new Issuer(settings, keys, processor(settings, keys, services.clock())));
            }
        } catch (RuntimeException e) {
            issuers.values().forEach(issuer -> issuer.keys().close());
            throw e;
        }
        return new TokenValidator(maxTokenSize, Map.copyOf(issuers));
    }

    private static DefaultJWTProcessor<SecurityContext> processor(IssuerSettings settings, IssuerKeys keys, Clock clock) {
        DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
        processor.setJWSTypeVerifier(TYPES);
        processor.setJWSKeySelector(new JWSVerificationKeySelector<>(settings.algorithms(), keys.source()));
        DefaultJWTClaimsVerifier<SecurityContext> claims = new DefaultJWTClaimsVerifier<>(
                // Mutable copies: Nimbus asks the sets whether they contain null, which Set.of refuses.
                new HashSet<>(settings.audience()), new JWTClaimsSet.Builder().issuer(settings.issuer()).build(),
                new HashSet<>(Set.of("exp")), new HashSet<>()) {
            @Override
            protected Date currentTime() {
                return Date.from(clock.instant());
            }
        };
        claims.setMaxClockSkew((int) settings.clockSkew().toSeconds());
        processor.setJWTClaimsSetVerifier(claims);
        return processor;
    }

    /**
     * Whether a password looks like a token of a configured issuer, read without trusting it: three
     * base64url parts (the signature may be empty), a header with an {@code alg}, a JSON payload whose
     * {@code iss} is a configured issuer. A token longer than {@code max_token_size} is only checked
     * for the three parts, without decoding, so that {@link #validate} refuses it as too large. Never
     * throws.
     *
     * @param token the password
     * @return true when it should be validated, false when it is for another auth rule
     */
    boolean recognizes(String token) {
        if (token == null || !UnverifiedToken.hasJwsShape(token)) {
            return false;
        }
        if (token.length() > maxTokenSize) {
            return true;
        }
        UnverifiedToken unverified = UnverifiedToken.read(token);
        return unverified != null && unverified.algorithm() != null && unverified.issuer() != null
                && issuers.containsKey(unverified.issuer());
    }

    /**
     * Validates a token.
     *
     * @param token the password given
     * @return the verified token
     * @throws TokenRejectedException with the reason; its message is for the log only
     */
    VerifiedToken validate(String token) throws TokenRejectedException {
        if (token == null || token.isEmpty()) {
            throw new TokenRejectedException(Reason.MALFORMED, "empty token");
        }
        if (token.length() > maxTokenSize) {
            throw new TokenRejectedException(Reason.TOO_LARGE, "token of " + token.length() + " characters, more than max_token_size "
                    + maxTokenSize);
        }
        if (!UnverifiedToken.hasJwsShape(token)) {
            throw new TokenRejectedException(Reason.MALFORMED, "not a compact JWS (three base64url parts)");
        }
        UnverifiedToken unverified = UnverifiedToken.read(token);
        if (unverified == null || unverified.algorithm() == null) {
            throw new TokenRejectedException(Reason.MALFORMED, "the header or the payload is not a JSON object, or the header has no alg");
        }
        if (unverified.issuer() == null) {
            throw new TokenRejectedException(Reason.MALFORMED, "the payload has no iss claim (a string)");
        }
        Issuer issuer = issuers.get(unverified.issuer());
        if (issuer == null) {
            throw new TokenRejectedException(Reason.UNKNOWN_ISSUER, "iss " + quoted(unverified.issuer()) + " is not a configured issuer");
        }
        String algorithm = unverified.algorithm();
        if (issuer.settings().algorithms().stream().map(JWSAlgorithm::getName).noneMatch(algorithm::equals)) {
            throw new TokenRejectedException(Reason.ALGORITHM_NOT_ALLOWED, "alg " + quoted(algorithm) + " is not allowed for "
                    + issuer.settings().issuer() + " (" + issuer.settings().pathOf("algorithms") + ")");
        }
        JWTClaimsSet claims = verify(issuer, token);
        checkScopes(issuer.settings(), claims);
        return new VerifiedToken(issuer.settings().issuer(), claims.toJSONObject(false), claims.getExpirationTime().toInstant());
    }

    /**
     * The raw {@code claims} section of an issuer, for the claim mapping.
     *
     * @param issuer a configured issuer, as in {@link VerifiedToken#issuer()}
     * @return the section, empty (with its path) when absent
     * @throws IllegalArgumentException when the issuer is not configured
     */
    PluginConfig claimsConfigFor(String issuer) {
        Issuer found = issuers.get(issuer);
        if (found == null) {
            throw new IllegalArgumentException("not a configured issuer: " + issuer);
        }
        return found.settings().claimsConfig();
    }

    /**
     * The configured issuers, for building one claim mapping each at startup.
     *
     * @return the issuers
     */
    Set<String> issuers() {
        return issuers.keySet();
    }

    /** The configured {@code max_token_size}. */
    int maxTokenSize() {
        return maxTokenSize;
    }

    @Override
    public void close() {
        issuers.values().forEach(issuer -> issuer.keys().close());
    }

    private static JWTClaimsSet verify(Issuer issuer, String token) throws TokenRejectedException {
        String name = issuer.settings().issuer();
        try {
            SignedJWT jwt = SignedJWT.parse(token);
            return issuer.processor().process(jwt, null);
        } catch (ParseException e) {
            throw new TokenRejectedException(Reason.MALFORMED, "not a signed JWT: " + e.getMessage());
        } catch (ExpiredJWTException e) {
            throw new TokenRejectedException(Reason.EXPIRED, "expired (" + name + ", clock_skew "
                    + issuer.settings().clockSkew().toSeconds() + "s)");
        } catch (BadJWTException e) {
            throw claimsRejected(issuer, e);
        } catch (BadJWSException e) {
            throw new TokenRejectedException(Reason.BAD_SIGNATURE, "the signature does not verify with the key of " + name);
        } catch (BadJOSEException e) {
            if (e.getMessage() != null && e.getMessage().contains("no matching key")) {
                throw new TokenRejectedException(Reason.UNKNOWN_KEY, "no key of " + name + " matches the token's kid and alg");
            }
            throw new TokenRejectedException(Reason.MALFORMED, "refused by the JOSE processor: " + e.getMessage());
        } catch (KeySourceException e) {
            if (hasCause(e, RateLimitReachedException.class) && issuer.keys().everFetched()) {
                throw new TokenRejectedException(Reason.UNKNOWN_KEY, "no key of " + name
                        + " matches the token's kid, and the keys were fetched again recently (jwks_min_refresh)");
            }
            throw new TokenRejectedException(Reason.KEYS_UNAVAILABLE, "the keys of " + name + " are unavailable: " + e.getMessage());
        } catch (JOSEException e) {
            throw new TokenRejectedException(Reason.BAD_SIGNATURE, "cannot verify with the key of " + name + ": " + e.getMessage());
        } catch (RuntimeException e) {
            // Nimbus reports some odd inputs (a claim of an unexpected type) with runtime exceptions.
            throw new TokenRejectedException(Reason.MALFORMED, "cannot be processed: " + e.getClass().getSimpleName());
        }
    }

    private static TokenRejectedException claimsRejected(Issuer issuer, BadJWTException e) {
        String message = e.getMessage() == null ? "" : e.getMessage();
        IssuerSettings settings = issuer.settings();
        if (message.startsWith("JWT before use time")) {
            return new TokenRejectedException(Reason.NOT_YET_VALID, "nbf is in the future (" + settings.issuer() + ", clock_skew "
                    + settings.clockSkew().toSeconds() + "s)");
        }
        if (message.startsWith("JWT audience rejected") || message.startsWith("JWT missing required audience")) {
            return new TokenRejectedException(Reason.WRONG_AUDIENCE, "aud does not contain one of " + settings.audience() + " ("
                    + settings.pathOf("audience") + ")");
        }
        if (message.startsWith("JWT missing required claims")) {
            return new TokenRejectedException(Reason.MISSING_CLAIM,
                    message.replace("JWT missing required claims", "missing required claims"));
        }
        if (message.contains("iss") && message.contains("claim has value")) {
            return new TokenRejectedException(Reason.UNKNOWN_ISSUER, "iss is not exactly " + settings.issuer());
        }
        return new TokenRejectedException(Reason.MALFORMED, "claims refused: " + message);
    }

    private static void checkScopes(IssuerSettings settings, JWTClaimsSet claims) throws TokenRejectedException {
        if (settings.requiredScopes().isEmpty()) {
            return;
        }
        Set<String> granted = Scopes.granted(claims.getClaims());
        List<String> missing = settings.requiredScopes().stream().filter(scope -> !granted.contains(scope)).toList();
        if (!missing.isEmpty()) {
            throw new TokenRejectedException(Reason.MISSING_SCOPE, "missing scopes " + missing + " ("
                    + settings.pathOf("required_scopes") + ")");
        }
    }

    private static boolean hasCause(Throwable e, Class<? extends Throwable> type) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }

    /** Quotes an untrusted value for the log, shortened and without control characters. */
    private static String quoted(String value) {
        String shown = value.length() > 100 ? value.substring(0, 100) + "..." : value;
        return "'" + shown.replaceAll("\\p{Cntrl}", "?") + "'";
    }
}
