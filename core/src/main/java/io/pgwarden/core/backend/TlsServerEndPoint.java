package io.pgwarden.core.backend;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.Map;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.operator.DefaultDigestAlgorithmIdentifierFinder;

/**
 * Channel binding data of type {@code tls-server-end-point} (RFC 5929 section 4.1): the hash of the
 * server's certificate, with the hash function of the certificate's signature algorithm, except that
 * MD5 and SHA-1 are replaced by SHA-256. PostgreSQL computes the same on its side.
 */
final class TlsServerEndPoint {

    private static final Map<String, String> DIGEST_NAMES = Map.of(
            "1.2.840.113549.2.5", "SHA-256", // MD5
            "1.3.14.3.2.26", "SHA-256", // SHA-1
            "2.16.840.1.101.3.4.2.4", "SHA-224",
            "2.16.840.1.101.3.4.2.1", "SHA-256",
            "2.16.840.1.101.3.4.2.2", "SHA-384",
            "2.16.840.1.101.3.4.2.3", "SHA-512",
            "2.16.840.1.101.3.4.2.7", "SHA3-224",
            "2.16.840.1.101.3.4.2.8", "SHA3-256",
            "2.16.840.1.101.3.4.2.9", "SHA3-384",
            "2.16.840.1.101.3.4.2.10", "SHA3-512");

    private static final java.util.Set<String> EDDSA = java.util.Set.of("1.3.101.112", "1.3.101.113");

    private TlsServerEndPoint() {
    }

    /**
     * The hash to bind to.
     *
     * @throws IllegalArgumentException when the signature algorithm has no hash this knows (Ed25519,
     *     for instance), in which case PostgreSQL cannot bind to the channel either
     */
    static byte[] of(X509Certificate certificate) {
        String digest = digestName(certificate);
        try {
            return MessageDigest.getInstance(digest).digest(certificate.getEncoded());
        } catch (CertificateEncodingException e) {
            throw new IllegalArgumentException("cannot encode the server certificate", e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(digest + " is not available", e);
        }
    }

    static String digestName(X509Certificate certificate) {
        if (EDDSA.contains(certificate.getSigAlgOID())) {
            // EdDSA signs the whole message, there is no separate hash; PostgreSQL refuses these too.
            throw new IllegalArgumentException("no channel binding hash for the server certificate's signature algorithm "
                    + certificate.getSigAlgName());
        }
        AlgorithmIdentifier signature = new AlgorithmIdentifier(new ASN1ObjectIdentifier(certificate.getSigAlgOID()),
                parameters(certificate.getSigAlgParams()));
        AlgorithmIdentifier digest = new DefaultDigestAlgorithmIdentifierFinder().find(signature);
        String name = digest == null ? null : DIGEST_NAMES.get(digest.getAlgorithm().getId());
        if (name == null) {
            throw new IllegalArgumentException("no channel binding hash for the server certificate's signature algorithm "
                    + certificate.getSigAlgName());
        }
        return name;
    }

    private static ASN1Primitive parameters(byte[] encoded) {
        if (encoded == null) {
            return null;
        }
        try {
            return ASN1Primitive.fromByteArray(encoded);
        } catch (IOException e) {
            throw new IllegalArgumentException("malformed signature algorithm parameters in the server certificate", e);
        }
    }
}
