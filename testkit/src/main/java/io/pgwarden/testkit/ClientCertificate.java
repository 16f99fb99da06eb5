package io.pgwarden.testkit;

import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * A client certificate from {@link TestCertificates}.
 *
 * @param commonName the CN, which PostgreSQL's {@code cert} auth compares with the user name
 * @param certificate the certificate as PEM
 * @param key the private key as PKCS#8 PEM (mode 0600)
 * @param keyDer the same key as PKCS#8 DER ({@code .pk8}), the form pgjdbc's {@code sslkey} reads
 * @param x509 the certificate
 * @param privateKey the private key
 * @param chain the certificate followed by its CA
 */
public record ClientCertificate(String commonName, Path certificate, Path key, Path keyDer, X509Certificate x509,
                                PrivateKey privateKey, List<X509Certificate> chain) {

    /** Copies the chain. */
    public ClientCertificate {
        chain = List.copyOf(chain);
    }
}
