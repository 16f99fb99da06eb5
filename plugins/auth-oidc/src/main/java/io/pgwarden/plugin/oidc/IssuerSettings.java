package io.pgwarden.plugin.oidc;

import com.nimbusds.jose.JWSAlgorithm;
import io.pgwarden.spi.PluginConfig;
import io.pgwarden.spi.PluginConfigException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * One entry of {@code issuers}: where its keys come from, what its tokens must say, and how keys are
 * cached. The {@code claims} sub-section is not read here; it is passed through as
 * {@link #claimsConfig()} for the claim mapping.
 *
 * @param path the YAML path of the entry, e.g. {@code plugins[0].issuers[1]}
 * @param issuer the issuer, compared exactly with a token's {@code iss}
 * @param jwksUri the JWKS address when configured; empty with discovery or a file
 * @param jwksFile the JWKS file when configured
 * @param audience the accepted audiences: a token's {@code aud} must contain one
 * @param algorithms the accepted signature algorithms (never HMAC or {@code none})
 * @param requiredScopes scopes a token must all have
 * @param clockSkew the tolerance for {@code exp} and {@code nbf}, whole seconds, at most {@link #MAX_CLOCK_SKEW}
 * @param jwksCache how long fetched keys are used before they are fetched again (ahead of this age)
 * @param jwksMinRefresh the minimum interval between fetches caused by unknown key ids
 * @param jwksOutageTolerance how long the last keys fetched keep working while the provider is down; zero for not at all
 * @param httpTimeout connect and read timeout of discovery and JWKS requests
 * @param claimsConfig the raw {@code claims} section, empty when absent
 */
record IssuerSettings(String path, String issuer, Optional<URI> jwksUri, Optional<Path> jwksFile, Set<String> audience,
                      Set<JWSAlgorithm> algorithms, List<String> requiredScopes, Duration clockSkew, Duration jwksCache,
                      Duration jwksMinRefresh, Duration jwksOutageTolerance, Duration httpTimeout, PluginConfig claimsConfig) {

    static final Duration MAX_CLOCK_SKEW = Duration.ofMinutes(5);
    static final Duration MAX_HTTP_TIMEOUT = Duration.ofMinutes(1);

    /** RS, PS and ES families: the asymmetric algorithms the JDK verifies without extra providers. */
    static final Set<JWSAlgorithm> SUPPORTED_ALGORITHMS = Set.of(
            JWSAlgorithm.RS256, JWSAlgorithm.RS384, JWSAlgorithm.RS512,
            JWSAlgorithm.PS256, JWSAlgorithm.PS384, JWSAlgorithm.PS512,
            JWSAlgorithm.ES256, JWSAlgorithm.ES384, JWSAlgorithm.ES512);

    private static final List<String> DEFAULT_ALGORITHMS = List.of(
            "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512");

    private static final Set<String> KEYS = Set.of("issuer", "discovery", "jwks_uri", "jwks_file", "audience", "algorithms",
            "required_scopes", "clock_skew", "jwks_cache", "jwks_min_refresh", "jwks_outage_tolerance", "http_timeout", "claims");

    /** Checks for null and copies the collections. */
    IssuerSettings {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(issuer, "issuer");
        Objects.requireNonNull(jwksUri, "jwksUri");
        Objects.requireNonNull(jwksFile, "jwksFile");
        audience = Set.copyOf(audience);
        algorithms = Set.copyOf(algorithms);
        requiredScopes = List.copyOf(requiredScopes);
        Objects.requireNonNull(clockSkew, "clockSkew");
        Objects.requireNonNull(jwksCache, "jwksCache");
        Objects.requireNonNull(jwksMinRefresh, "jwksMinRefresh");
        Objects.requireNonNull(jwksOutageTolerance, "jwksOutageTolerance");
        Objects.requireNonNull(httpTimeout, "httpTimeout");
        Objects.requireNonNull(claimsConfig, "claimsConfig");
    }

    /**
     * Reads one issuer entry.
     *
     * @param section the entry, e.g. {@code plugins[0].issuers[0]}
     * @return the settings
     * @throws PluginConfigException naming the YAML path of the first problem
     */
    static IssuerSettings parse(PluginConfig section) {
        for (String key : section.values().keySet()) {
            if (!KEYS.contains(key)) {
                throw new PluginConfigException(section.pathOf(key), "unknown setting; an issuer knows "
                        + String.join(", ", KEYS.stream().sorted().toList()));
            }
        }
        String issuer = section.string("issuer").map(String::trim).filter(text -> !text.isEmpty())
                .orElseThrow(() -> new PluginConfigException(section.pathOf("issuer"),
                        "is required: the issuer URL, exactly as in the tokens' iss claim"));
        httpsUri(section, "issuer", issuer);

        boolean hasUri = section.has("jwks_uri");
        boolean hasFile = section.has("jwks_file");
        if (hasUri && hasFile) {
            throw new PluginConfigException(section.pathOf("jwks_file"), "cannot be used together with jwks_uri: choose one");
        }
        boolean discovery = section.bool("discovery", !hasUri && !hasFile);
        if (discovery && (hasUri || hasFile)) {
            throw new PluginConfigException(section.pathOf("discovery"), "must be false (or absent) when "
                    + (hasUri ? "jwks_uri" : "jwks_file") + " is set: keys come from one place");
        }
        if (!discovery && !hasUri && !hasFile) {
            throw new PluginConfigException(section.pathOf("discovery"), "is false, so jwks_uri or jwks_file is required");
        }
        Optional<URI> jwksUri = hasUri ? Optional.of(httpsUri(section, "jwks_uri", section.requireString("jwks_uri").trim()))
                : Optional.empty();
        Optional<Path> jwksFile = Optional.empty();
        if (hasFile) {
            String file = section.requireString("jwks_file").trim();
            if (file.isEmpty()) {
                throw new PluginConfigException(section.pathOf("jwks_file"), "is empty");
            }
            jwksFile = Optional.of(Path.of(file).toAbsolutePath().normalize());
        }

        Set<String> audience = new LinkedHashSet<>(stringOrList(section, "audience"));
        if (audience.isEmpty()) {
            throw new PluginConfigException(section.pathOf("audience"),
                    "is required: the audience (client id or API identifier) tokens for pgwarden carry in aud");
        }
        Set<JWSAlgorithm> algorithms = algorithms(section);
        List<String> requiredScopes = section.has("required_scopes") ? stringOrList(section, "required_scopes") : List.of();
        for (String scope : requiredScopes) {
            if (scope.chars().anyMatch(Character::isWhitespace)) {
                throw new PluginConfigException(section.pathOf("required_scopes"), "a scope cannot contain spaces: list each scope");
            }
        }

        Duration clockSkew = section.duration("clock_skew", Duration.ofSeconds(60));
        if (clockSkew.compareTo(MAX_CLOCK_SKEW) > 0) {
            throw new PluginConfigException(section.pathOf("clock_skew"), "must be at most 5m, found " + clockSkew.toSeconds() + "s");
        }
        Duration jwksCache = section.duration("jwks_cache", Duration.ofMinutes(5));
        Duration jwksMinRefresh = section.duration("jwks_min_refresh", Duration.ofSeconds(30));
        if (jwksCache.compareTo(jwksMinRefresh) <= 0) {
            throw new PluginConfigException(section.pathOf("jwks_cache"), "must be longer than jwks_min_refresh ("
                    + jwksMinRefresh.toMillis() + "ms)");
        }
        Duration outageTolerance = section.duration("jwks_outage_tolerance", Duration.ofHours(24));
        Duration httpTimeout = section.duration("http_timeout", Duration.ofSeconds(5));
        if (httpTimeout.isZero() || httpTimeout.compareTo(MAX_HTTP_TIMEOUT) > 0) {
            throw new PluginConfigException(section.pathOf("http_timeout"), "must be more than 0 and at most 1m");
        }
        PluginConfig claims = section.section("claims");
        return new IssuerSettings(section.path(), issuer, jwksUri, jwksFile,
                audience, algorithms, requiredScopes, Duration.ofSeconds(clockSkew.toSeconds()), jwksCache, jwksMinRefresh,
                outageTolerance, httpTimeout, claims);
    }

    /** Whether keys are found through {@code <issuer>/.well-known/openid-configuration}. */
    boolean discovery() {
        return jwksUri.isEmpty() && jwksFile.isEmpty();
    }

    /**
     * The YAML path of a key of this entry.
     *
     * @param key the key
     * @return the path
     */
    String pathOf(String key) {
        return path + "." + key;
    }

    /**
     * Whether keys may be fetched from this address: {@code https}, or {@code http} to the loopback
     * interface only (a local sidecar or a test). Keys fetched over plain HTTP could be replaced by
     * anyone on the path, and every token they sign would be accepted.
     *
     * @param uri the address
     * @return true when allowed
     */
    static boolean secureEnough(URI uri) {
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (scheme.equals("https")) {
            return uri.getHost() != null;
        }
        if (!scheme.equals("http") || uri.getHost() == null) {
            return false;
        }
        String host = uri.getHost().toLowerCase(Locale.ROOT);
        return host.equals("localhost") || host.equals("127.0.0.1") || host.equals("[::1]") || host.equals("::1");
    }

    private static URI httpsUri(PluginConfig section, String key, String text) {
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            throw new PluginConfigException(section.pathOf(key), "is not a URL: " + e.getReason());
        }
        if (!secureEnough(uri)) {
            throw new PluginConfigException(section.pathOf(key), "must be an https:// URL (http:// only to localhost), found '"
                    + text + "'");
        }
        return uri;
    }

    private static List<String> stringOrList(PluginConfig section, String key) {
        List<String> values = section.values().get(key) instanceof List<?> ? section.strings(key)
                : section.string(key).map(List::of).orElse(List.of());
        for (String value : values) {
            if (value.isBlank()) {
                throw new PluginConfigException(section.pathOf(key), "has an empty entry");
            }
        }
        return values.stream().map(String::trim).toList();
    }

    private static Set<JWSAlgorithm> algorithms(PluginConfig section) {
        List<String> names = section.has("algorithms") ? stringOrList(section, "algorithms") : DEFAULT_ALGORITHMS;
        if (names.isEmpty()) {
            throw new PluginConfigException(section.pathOf("algorithms"), "is empty; leave it out for the default list");
        }
        Set<JWSAlgorithm> result = new LinkedHashSet<>();
        for (String name : names) {
            String upper = name.toUpperCase(Locale.ROOT);
            if (upper.equals("NONE") || upper.startsWith("HS")) {
                throw new PluginConfigException(section.pathOf("algorithms"), name + " is refused: "
                        + (upper.equals("NONE") ? "unsigned tokens are never accepted"
                        : "HMAC needs a shared secret, and with a public key as the secret anyone could sign"));
            }
            JWSAlgorithm algorithm = SUPPORTED_ALGORITHMS.stream().filter(a -> a.getName().equals(upper)).findFirst()
                    .orElseThrow(() -> new PluginConfigException(section.pathOf("algorithms"), "unknown or unsupported algorithm '"
                            + name + "'; supported: " + SUPPORTED_ALGORITHMS.stream().map(JWSAlgorithm::getName).sorted()
                            .collect(Collectors.joining(" "))));
            result.add(algorithm);
        }
        return result;
    }
}
