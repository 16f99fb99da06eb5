package io.pgwarden.core.frontend;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.pgwarden.core.config.ClientTlsConfig;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Locale;

/**
 * The proxy's TLS towards clients: the server context built from the PEM files, and the
 * tls-server-end-point channel binding data of its certificate.
 */
public final class ClientTls {

    /** The ALPN protocol name PostgreSQL 17 defined for direct TLS. */
    static final String ALPN_POSTGRESQL = "postgresql";

    private final ClientTlsConfig.Mode mode;
    private final SslContext context;
    private final byte[] serverEndPoint;

    private ClientTls(ClientTlsConfig.Mode mode, SslContext context, byte[] serverEndPoint) {
        this.mode = mode;
        this.context = context;
        this.serverEndPoint = serverEndPoint;
    }

    /**
     * Builds the client-side TLS from its configuration.
     *
     * @param config the listener's TLS section
     * @return the TLS setup; with mode disable it offers no TLS
     * @throws IOException when a file cannot be read
     * @throws GeneralSecurityException when the certificate or key is invalid
     */
    public static ClientTls create(ClientTlsConfig config) throws IOException, GeneralSecurityException {
        if (config.mode() == ClientTlsConfig.Mode.DISABLE) {
            return new ClientTls(config.mode(), null, null);
        }
        SslContextBuilder builder = SslContextBuilder.forServer(config.certificate().toFile(), config.privateKey().toFile())
                .protocols("TLSv1.3", "TLSv1.2")
                // Clients of PostgreSQL 17+ send ALPN "postgresql"; older ones send none, which is accepted
                // here and checked only for direct TLS, as PostgreSQL does.
                .applicationProtocolConfig(new ApplicationProtocolConfig(
                        ApplicationProtocolConfig.Protocol.ALPN,
                        ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                        ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                        ALPN_POSTGRESQL));
        if (config.clientCa() != null) {
            builder.trustManager(config.clientCa().toFile()).clientAuth(ClientAuth.OPTIONAL);
        }
        X509Certificate leaf;
        try (InputStream in = Files.newInputStream(config.certificate())) {
            leaf = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
        return new ClientTls(config.mode(), builder.build(), endPointHash(leaf));
    }

    /**
     * The tls-server-end-point channel binding data (RFC 5929 §4.1): the certificate hashed with
     * its signature's hash algorithm, SHA-256 when that is MD5 or SHA-1.
     *
     * @param certificate the server certificate
     * @return the hash
     * @throws GeneralSecurityException when the certificate cannot be encoded
     */
    public static byte[] endPointHash(X509Certificate certificate) throws GeneralSecurityException {
        String algorithm = certificate.getSigAlgName().toUpperCase(Locale.ROOT);
        String hash;
        if (algorithm.startsWith("SHA384")) {
            hash = "SHA-384";
        } else if (algorithm.startsWith("SHA512")) {
            hash = "SHA-512";
        } else {
            hash = "SHA-256";
        }
        return MessageDigest.getInstance(hash).digest(certificate.getEncoded());
    }

    boolean enabled() {
        return mode != ClientTlsConfig.Mode.DISABLE;
    }

    boolean required() {
        return mode == ClientTlsConfig.Mode.REQUIRE;
    }

    SslHandler newHandler(ByteBufAllocator alloc) {
        return context.newHandler(alloc);
    }

    /** The channel binding data, or null without TLS. */
    byte[] serverEndPoint() {
        return serverEndPoint == null ? null : serverEndPoint.clone();
    }
}
