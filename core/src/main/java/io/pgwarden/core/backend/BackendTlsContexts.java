package io.pgwarden.core.backend;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.pgwarden.core.config.BackendTlsConfig;
import io.pgwarden.spi.Credential;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import javax.net.ssl.SSLException;

/**
 * TLS client contexts for backends, with libpq's sslmode meanings: {@code prefer} and
 * {@code require} encrypt without verifying anything, {@code verify-ca} checks the chain against
 * the CA file, {@code verify-full} also checks the host name (DNS and IP subject alternative names).
 * Contexts without a client certificate are cached per TLS configuration, so the CA file is read
 * once; contexts with a client certificate are built per connection because such certificates are
 * typically minted per person and short-lived.
 */
final class BackendTlsContexts {

    private final ConcurrentMap<BackendTlsConfig, SslContext> cache = new ConcurrentHashMap<>();

    SslContext contextFor(BackendTlsConfig tls, Credential credential) throws SSLException {
        if (credential instanceof Credential.ClientCertificate certificate) {
            return build(tls, ClientCertificatePem.parse(certificate));
        }
        SslContext cached = cache.get(tls);
        if (cached != null) {
            return cached;
        }
        SslContext built = build(tls, null);
        SslContext raced = cache.putIfAbsent(tls, built);
        return raced != null ? raced : built;
    }

    static SslContext build(BackendTlsConfig tls, ClientCertificatePem clientCertificate) throws SSLException {
        SslContextBuilder builder = SslContextBuilder.forClient().protocols("TLSv1.3", "TLSv1.2");
        switch (tls.mode()) {
            case VERIFY_CA -> builder.trustManager(tls.ca().toFile()).endpointIdentificationAlgorithm(null);
            case VERIFY_FULL -> builder.trustManager(tls.ca().toFile()).endpointIdentificationAlgorithm("HTTPS");
            case DISABLE, PREFER, REQUIRE ->
                    builder.trustManager(InsecureTrustManagerFactory.INSTANCE).endpointIdentificationAlgorithm(null);
        }
        if (clientCertificate != null) {
            builder.keyManager(clientCertificate.key(), clientCertificate.chain());
        }
        return builder.build();
    }
}
