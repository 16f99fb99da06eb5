package io.pgwarden.plugin.oidc;

import java.io.IOException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Objects;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Mints short-lived client certificates for PostgreSQL's {@code cert} authentication: subject
 * {@code CN=<role>} (PostgreSQL compares the CN with the user name), a fresh EC P-256 key, signed by
 * the CA. Bouncy Castle builds the certificate; the JDK's providers do the cryptography.
 */
final class CertificateMinter {

    /** A minted certificate lets a clock a little behind ours accept it at once. */
    static final Duration BACKDATE = Duration.ofMinutes(1);

    private static final SecureRandom RANDOM = new SecureRandom();

    private final CaKeyPair ca;

    CertificateMinter(CaKeyPair ca) {
        this.ca = Objects.requireNonNull(ca, "ca");
    }

    /**
     * A minted certificate.
     *
     * @param certificatePem the leaf certificate, PEM
     * @param chainPem the leaf then the CA certificates, PEM, as the backend TLS handshake presents them
     * @param privateKeyPem the leaf's private key, PKCS#8 PEM
     * @param notAfter when the certificate expires
     */
    record Minted(String certificatePem, String chainPem, String privateKeyPem, Instant notAfter) {

        @Override
        public String toString() {
            return "Minted[notAfter=" + notAfter + ", key=***]";
        }
    }

    /**
     * Mints a certificate for a role.
     *
     * @param role the database role, the certificate's CN
     * @param now the current time
     * @param validity how long the certificate is valid from now
     * @return the certificate, its chain and its key
     * @throws IllegalStateException when the JDK cannot generate or sign (a broken runtime)
     */
    Minted mint(String role, Instant now, Duration validity) {
        Objects.requireNonNull(role, "role");
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
            KeyPair keys = generator.generateKeyPair();
            Instant notAfter = now.plus(validity);
            X500Name subject = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, role).build();
            JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
            JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(ca.certificate(), serial(),
                    Date.from(now.minus(BACKDATE)), Date.from(notAfter), subject, keys.getPublic());
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
                    .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_clientAuth))
                    .addExtension(Extension.subjectKeyIdentifier, false, extensions.createSubjectKeyIdentifier(keys.getPublic()))
                    .addExtension(Extension.authorityKeyIdentifier, false, authorityKeyIdentifier(extensions));
            X509CertificateHolder certificate = builder.build(
                    new JcaContentSignerBuilder(ca.signatureAlgorithm()).build(ca.privateKey()));
            String leafPem = Pem.encode("CERTIFICATE", certificate.getEncoded());
            return new Minted(leafPem, leafPem + ca.chainPem(), Pem.encode("PRIVATE KEY", keys.getPrivate().getEncoded()),
                    notAfter);
        } catch (GeneralSecurityException | OperatorCreationException | IOException e) {
            throw new IllegalStateException("cannot mint a client certificate: " + e.getMessage(), e);
        }
    }

    /**
     * The CA's own subject key identifier when it has one (however it was computed), else one computed
     * from its key. Only the key id: a renewed CA certificate with the same key still matches.
     */
    private AuthorityKeyIdentifier authorityKeyIdentifier(JcaX509ExtensionUtils extensions) {
        byte[] extension = ca.certificate().getExtensionValue(Extension.subjectKeyIdentifier.getId());
        if (extension != null) {
            byte[] keyId = ASN1OctetString.getInstance(ASN1OctetString.getInstance(extension).getOctets()).getOctets();
            return new AuthorityKeyIdentifier(keyId);
        }
        return extensions.createAuthorityKeyIdentifier(ca.certificate().getPublicKey());
    }

    /** A random positive 128-bit serial number (RFC 5280 allows up to 20 octets). */
    private static BigInteger serial() {
        BigInteger serial;
        do {
            serial = new BigInteger(128, RANDOM);
        } while (serial.signum() == 0);
        return serial;
    }
}
