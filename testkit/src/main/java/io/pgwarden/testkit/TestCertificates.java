package io.pgwarden.testkit;

import io.pgwarden.core.embedded.FileTrees;
import io.pgwarden.testkit.CertificateAuthority.IssuedCertificate;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Certificates minted at run time with Bouncy Castle, written as PEM files (certificate; PKCS#8 key, mode
 * 0600) into a temporary directory that {@link #close()} deletes.
 *
 * <p>There is a test CA, a server certificate it signed for {@code localhost} and {@code 127.0.0.1}, client
 * certificates on demand ({@link #client(String)}, CN = database user), and an unrelated second CA with its own
 * server and client certificates for negative tests.
 */
public final class TestCertificates implements AutoCloseable {

    private static final char[] STORE_PASSWORD = "pgwarden-test".toCharArray();

    private final Path directory;
    private final CertificateAuthority ca;
    private final CertificateAuthority unrelatedCa;
    private final PemPair server;
    private final PemPair unrelatedServer;
    private final Map<String, ClientCertificate> clients = new LinkedHashMap<>();
    private final Map<String, ClientCertificate> untrustedClients = new LinkedHashMap<>();

    private TestCertificates(Path directory, CertificateAuthority ca, CertificateAuthority unrelatedCa,
                             PemPair server, PemPair unrelatedServer) {
        this.directory = directory;
        this.ca = ca;
        this.unrelatedCa = unrelatedCa;
        this.server = server;
        this.unrelatedServer = unrelatedServer;
    }

    /** Mints both CAs and both server certificates and writes them. */
    public static TestCertificates create() {
        Path directory = null;
        try {
            directory = Files.createTempDirectory("pgwarden-certs-");
            CertificateAuthority ca = CertificateAuthority.create("pgwarden test CA");
            CertificateAuthority unrelated = CertificateAuthority.create("unrelated test CA");
            writeCertificate(directory.resolve("ca.crt"), ca.certificate());
            writeCertificate(directory.resolve("unrelated-ca.crt"), unrelated.certificate());
            PemPair server = PemPair.write(directory, "server", ca.issueServer("localhost"));
            PemPair unrelatedServer = PemPair.write(directory, "unrelated-server", unrelated.issueServer("localhost"));
            return new TestCertificates(directory, ca, unrelated, server, unrelatedServer);
        } catch (IOException | GeneralSecurityException e) {
            if (directory != null) {
                FileTrees.deleteQuietly(directory);
            }
            throw new IllegalStateException("could not create test certificates", e);
        }
    }

    /** The directory holding every file; deleted on close. */
    public Path directory() {
        return directory;
    }

    /** The test CA's certificate (PEM), e.g. for {@code sslrootcert} or PostgreSQL's {@code ssl_ca_file}. */
    public Path caCertificate() {
        return directory.resolve("ca.crt");
    }

    /** The test CA's certificate. */
    public X509Certificate caX509() {
        return ca.certificate();
    }

    /** The server certificate (PEM) for {@code localhost}/{@code 127.0.0.1}, signed by the test CA. */
    public Path serverCertificate() {
        return server.certificate();
    }

    /** The server certificate's private key (PKCS#8 PEM, mode 0600). */
    public Path serverKey() {
        return server.key();
    }

    /** The unrelated CA's certificate (PEM): trusting it must not make the test CA's certificates valid. */
    public Path unrelatedCaCertificate() {
        return directory.resolve("unrelated-ca.crt");
    }

    /** A server certificate for {@code localhost} signed by the unrelated CA (PEM). */
    public Path unrelatedServerCertificate() {
        return unrelatedServer.certificate();
    }

    /** The key of {@link #unrelatedServerCertificate()} (PKCS#8 PEM, mode 0600). */
    public Path unrelatedServerKey() {
        return unrelatedServer.key();
    }

    /** A client certificate with this CN signed by the test CA, minted on first use. */
    public synchronized ClientCertificate client(String commonName) {
        return clients.computeIfAbsent(commonName, cn -> mintClient("client-", ca, cn));
    }

    /** A client certificate with this CN signed by the unrelated CA, which servers of these tests do not trust. */
    public synchronized ClientCertificate untrustedClient(String commonName) {
        return untrustedClients.computeIfAbsent(commonName, cn -> mintClient("untrusted-client-", unrelatedCa, cn));
    }

    /** A TLS client context that trusts the test CA and presents no certificate. */
    public SSLContext clientContext() {
        return context(null);
    }

    /** A TLS client context that trusts the test CA and presents this client certificate. */
    public SSLContext clientContext(ClientCertificate certificate) {
        return context(certificate);
    }

    /** Deletes every file. */
    @Override
    public void close() {
        FileTrees.delete(directory);
    }

    private ClientCertificate mintClient(String prefix, CertificateAuthority issuer, String commonName) {
        try {
            IssuedCertificate issued = issuer.issueClient(commonName);
            String base = prefix + commonName.replaceAll("[^A-Za-z0-9_.-]", "_");
            PemPair pem = PemPair.write(directory, base, issued);
            Path der = directory.resolve(base + ".pk8");
            Files.write(der, issued.privateKey().getEncoded());
            Files.setPosixFilePermissions(der, PosixFilePermissions.fromString("rw-------"));
            return new ClientCertificate(commonName, pem.certificate(), pem.key(), der, issued.certificate(),
                    issued.privateKey(), issued.chain());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("could not mint a client certificate for " + commonName, e);
        }
    }

    private SSLContext context(ClientCertificate certificate) {
        try {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("ca", ca.certificate());
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            KeyManagerFactory kmf = null;
            if (certificate != null) {
                KeyStore keys = KeyStore.getInstance("PKCS12");
                keys.load(null, null);
                keys.setKeyEntry("client", certificate.privateKey(), STORE_PASSWORD,
                        certificate.chain().toArray(new Certificate[0]));
                kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(keys, STORE_PASSWORD);
            }
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
            return context;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("could not build a TLS context", e);
        }
    }

    static void writeCertificate(Path file, X509Certificate certificate) throws IOException {
        try {
            Files.writeString(file, pem("CERTIFICATE", certificate.getEncoded()), StandardCharsets.US_ASCII);
        } catch (java.security.cert.CertificateEncodingException e) {
            throw new IOException("could not encode " + certificate.getSubjectX500Principal(), e);
        }
    }

    static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    private record PemPair(Path certificate, Path key) {

        static PemPair write(Path directory, String base, IssuedCertificate issued) throws IOException {
            Path certificate = directory.resolve(base + ".crt");
            Path key = directory.resolve(base + ".key");
            writeCertificate(certificate, issued.certificate());
            // JDK private keys encode as PKCS#8, the "PRIVATE KEY" PEM type PostgreSQL and Netty read.
            Files.writeString(key, pem("PRIVATE KEY", issued.privateKey().getEncoded()), StandardCharsets.US_ASCII);
            Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
            return new PemPair(certificate, key);
        }
    }
}
