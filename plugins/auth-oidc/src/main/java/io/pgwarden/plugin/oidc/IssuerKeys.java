package io.pgwarden.plugin.oidc;

import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.jwk.source.JWKSetCacheRefreshEvaluator;
import com.nimbusds.jose.jwk.source.JWKSetParseException;
import com.nimbusds.jose.jwk.source.JWKSetRetrievalException;
import com.nimbusds.jose.jwk.source.JWKSetSource;
import com.nimbusds.jose.jwk.source.JWKSetUnavailableException;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.DefaultResourceRetriever;
import com.nimbusds.jose.util.JSONObjectUtils;
import io.pgwarden.spi.PluginConfigException;
import java.io.Closeable;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.text.ParseException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An issuer's signing keys as a Nimbus {@link JWKSource}: from a file read once at startup, or fetched
 * over HTTP (from {@code jwks_uri}, or from the {@code jwks_uri} of the issuer's discovery document)
 * through Nimbus' {@link JWKSourceBuilder}: cached for {@code jwks_cache} and refreshed ahead of that
 * age, fetched again on an unknown key id at most twice per {@code jwks_min_refresh} (Nimbus keeps one
 * fetch of each interval for a rotation), each failed fetch retried once, and the last keys fetched
 * served for {@code jwks_outage_tolerance} while the provider is down.
 *
 * <p>Discovery happens on the first fetch, not at startup, so pgwarden starts while the identity
 * provider is down. A discovery document whose {@code issuer} is not exactly the configured issuer,
 * or whose {@code jwks_uri} is not https, is refused like an unreachable provider: tokens are
 * {@link TokenRejectedException.Reason#KEYS_UNAVAILABLE} and the log says why.
 */
final class IssuerKeys implements Closeable {

    /** The largest discovery document or JWKS read; Keycloak's and Entra's are a few KB. */
    static final int MAX_DOCUMENT_SIZE = 256 * 1024;

    private static final Duration DEFAULT_REFRESH_AHEAD = Duration.ofSeconds(30);
    private static final AtomicInteger THREADS = new AtomicInteger();

    private final JWKSource<SecurityContext> source;
    private final RemoteKeys remote;
    private final ThreadPoolExecutor refresher;

    private IssuerKeys(JWKSource<SecurityContext> source, RemoteKeys remote, ThreadPoolExecutor refresher) {
        this.source = source;
        this.remote = remote;
        this.refresher = refresher;
    }

    /**
     * Creates the key source of an issuer. A {@code jwks_file} is read now; remote keys are fetched
     * when first needed.
     *
     * @param settings the issuer's settings
     * @param logger where fetch problems are logged
     * @return the keys
     * @throws PluginConfigException naming {@code jwks_file} when the file cannot be read or holds no public key
     */
    static IssuerKeys create(IssuerSettings settings, System.Logger logger) {
        if (settings.jwksFile().isPresent()) {
            return new IssuerKeys(new ImmutableJWKSet<>(readFile(settings)), null, null);
        }
        RemoteKeys remote = new RemoteKeys(settings, logger);
        long ttl = settings.jwksCache().toMillis();
        long refreshAhead = Math.min(DEFAULT_REFRESH_AHEAD.toMillis(), ttl / 4);
        // How long a request waits for another's fetch: discovery and JWKS, each retried once.
        long refreshTimeout = Math.max(1, Math.min(ttl - refreshAhead, 4 * settings.httpTimeout().toMillis()));
        ThreadPoolExecutor refresher = new ThreadPoolExecutor(1, 1, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), task -> {
            Thread thread = new Thread(task, "pgwarden-oidc-jwks-" + THREADS.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        refresher.allowCoreThreadTimeOut(true);
        JWKSourceBuilder<SecurityContext> builder = JWKSourceBuilder.create(remote)
                .cache(ttl, refreshTimeout)
                .refreshAheadCache(refreshAhead, null, refresher, true, null, false)
                .retrying(true);
        long minRefresh = settings.jwksMinRefresh().toMillis();
        builder = minRefresh > 0 ? builder.rateLimited(minRefresh) : builder.rateLimited(false);
        long outage = settings.jwksOutageTolerance().toMillis();
        builder = outage > 0 ? builder.outageTolerant(outage) : builder.outageTolerant(false);
        return new IssuerKeys(builder.build(), remote, refresher);
    }

    /** The key source for Nimbus' key selector. */
    JWKSource<SecurityContext> source() {
        return source;
    }

    /**
     * Whether keys were ever obtained: true for a file; for remote keys, after the first good fetch.
     * A rate-limited refetch then means an unknown key id, not an unavailable provider.
     */
    boolean everFetched() {
        return remote == null || remote.fetches.get() > 0;
    }

    @Override
    public void close() {
        if (source instanceof Closeable closeable) {
            try {
                closeable.close();
            } catch (IOException e) {
                // Nothing is left open that matters: the refresher below is stopped either way.
            }
        }
        if (refresher != null) {
            refresher.shutdownNow();
        }
    }

    private static JWKSet readFile(IssuerSettings settings) {
        String path = settings.pathOf("jwks_file");
        JWKSet keys;
        try {
            byte[] bytes = Files.readAllBytes(settings.jwksFile().orElseThrow());
            if (bytes.length > MAX_DOCUMENT_SIZE) {
                throw new PluginConfigException(path, "is larger than " + MAX_DOCUMENT_SIZE + " bytes");
            }
            keys = JWKSet.parse(new String(bytes, java.nio.charset.StandardCharsets.UTF_8)).toPublicJWKSet();
        } catch (IOException e) {
            throw new PluginConfigException(path, "cannot be read: " + e.getClass().getSimpleName() + " " + e.getMessage());
        } catch (ParseException e) {
            throw new PluginConfigException(path, "is not a JSON Web Key Set: " + e.getMessage());
        }
        if (keys.isEmpty()) {
            throw new PluginConfigException(path, "holds no public key (symmetric keys are ignored)");
        }
        return keys;
    }

    /**
     * The bottom of the Nimbus chain: one fetch of the JWKS, after discovery when configured so. Only
     * public keys are kept.
     */
    private static final class RemoteKeys implements JWKSetSource<SecurityContext> {

        private final IssuerSettings settings;
        private final System.Logger logger;
        private final DefaultResourceRetriever retriever;
        private final AtomicInteger fetches = new AtomicInteger();
        private volatile URL jwksUrl;

        RemoteKeys(IssuerSettings settings, System.Logger logger) {
            this.settings = settings;
            this.logger = logger;
            int timeout = (int) settings.httpTimeout().toMillis();
            this.retriever = new DefaultResourceRetriever(timeout, timeout, MAX_DOCUMENT_SIZE);
            this.jwksUrl = settings.jwksUri().map(RemoteKeys::toUrl).orElse(null);
        }

        @Override
        public JWKSet getJWKSet(JWKSetCacheRefreshEvaluator refreshEvaluator, long currentTime, SecurityContext context)
                throws KeySourceException {
            URL url = jwksUrl == null ? discover() : jwksUrl;
            String content;
            try {
                content = retriever.retrieveResource(url).getContent();
            } catch (IOException e) {
                logger.log(System.Logger.Level.WARNING, "issuer " + settings.issuer() + ": cannot fetch keys from " + url + ": "
                        + e.getClass().getSimpleName() + " " + e.getMessage());
                throw new JWKSetRetrievalException("cannot fetch the JWKS of " + settings.issuer(), e);
            }
            JWKSet keys;
            try {
                keys = JWKSet.parse(content).toPublicJWKSet();
            } catch (ParseException e) {
                logger.log(System.Logger.Level.WARNING, "issuer " + settings.issuer() + ": " + url + " is not a JWKS: " + e.getMessage());
                throw new JWKSetParseException("the JWKS of " + settings.issuer() + " cannot be parsed", e);
            }
            fetches.incrementAndGet();
            return keys;
        }

        private URL discover() throws JWKSetUnavailableException {
            String issuer = settings.issuer();
            URL url = toUrl(URI.create((issuer.endsWith("/") ? issuer.substring(0, issuer.length() - 1) : issuer)
                    + "/.well-known/openid-configuration"));
            Map<String, Object> document;
            try {
                document = JSONObjectUtils.parse(retriever.retrieveResource(url).getContent());
            } catch (IOException | ParseException e) {
                logger.log(System.Logger.Level.WARNING, "issuer " + issuer + ": discovery at " + url + " failed: "
                        + e.getClass().getSimpleName() + " " + e.getMessage());
                throw new JWKSetRetrievalException("discovery failed for " + issuer, e);
            }
            Object announced = document.get("issuer");
            if (!issuer.equals(announced)) {
                // OpenID Connect Discovery 1.0 §4.3: the issuer must be identical, or the document is not this issuer's.
                return refuse("the discovery document at " + url + " names the issuer '" + announced + "', not exactly '" + issuer
                        + "' (plugins: " + settings.pathOf("issuer") + ")");
            }
            if (!(document.get("jwks_uri") instanceof String text)) {
                return refuse("the discovery document at " + url + " has no jwks_uri");
            }
            URI uri;
            try {
                uri = new URI(text);
            } catch (URISyntaxException e) {
                return refuse("the discovery document at " + url + " has an invalid jwks_uri");
            }
            if (!IssuerSettings.secureEnough(uri)) {
                return refuse("the discovery document at " + url + " has a jwks_uri that is not https: " + text);
            }
            URL found = toUrl(uri);
            jwksUrl = found;
            return found;
        }

        private URL refuse(String message) throws JWKSetUnavailableException {
            logger.log(System.Logger.Level.WARNING, "issuer " + settings.issuer() + ": " + message);
            throw new JWKSetUnavailableException(message);
        }

        private static URL toUrl(URI uri) {
            try {
                return uri.toURL();
            } catch (java.net.MalformedURLException | IllegalArgumentException e) {
                throw new IllegalArgumentException("not a URL: " + uri, e);
            }
        }

        @Override
        public void close() {
        }
    }
}
