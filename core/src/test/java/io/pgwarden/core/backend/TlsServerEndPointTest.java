package io.pgwarden.core.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Test;

class TlsServerEndPointTest {

    private static final BouncyCastleProvider BC = new BouncyCastleProvider();

    private static X509Certificate selfSigned(String keyAlgorithm, String signatureAlgorithm) throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance(keyAlgorithm);
        if (!keyAlgorithm.equals("Ed25519")) {
            generator.initialize(keyAlgorithm.equals("EC") ? 256 : 2048);
        }
        KeyPair pair = generator.generateKeyPair();
        Instant now = Instant.now();
        X500Name name = new X500Name("CN=server");
        var builder = new JcaX509v3CertificateBuilder(name, BigInteger.ONE, Date.from(now),
                Date.from(now.plus(1, ChronoUnit.DAYS)), name, pair.getPublic());
        var signer = new JcaContentSignerBuilder(signatureAlgorithm).setProvider(BC).build(pair.getPrivate());
        return new JcaX509CertificateConverter().getCertificate(builder.build(signer));
    }

    @Test
    void sha256SignatureHashesWithSha256() throws Exception {
        X509Certificate certificate = selfSigned("RSA", "SHA256withRSA");
        assertThat(TlsServerEndPoint.of(certificate))
                .isEqualTo(MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded()));
    }

    @Test
    void sha1AndMd5SignaturesAreReplacedBySha256() throws Exception {
        assertThat(TlsServerEndPoint.digestName(selfSigned("RSA", "SHA1withRSA"))).isEqualTo("SHA-256");
        assertThat(TlsServerEndPoint.digestName(selfSigned("RSA", "MD5withRSA"))).isEqualTo("SHA-256");
        X509Certificate certificate = selfSigned("RSA", "SHA1withRSA");
        assertThat(TlsServerEndPoint.of(certificate)).hasSize(32);
    }

    @Test
    void strongerSignatureHashesAreUsedAsTheyAre() throws Exception {
        assertThat(TlsServerEndPoint.digestName(selfSigned("EC", "SHA384withECDSA"))).isEqualTo("SHA-384");
        assertThat(TlsServerEndPoint.digestName(selfSigned("RSA", "SHA512withRSA"))).isEqualTo("SHA-512");
        X509Certificate certificate = selfSigned("EC", "SHA384withECDSA");
        assertThat(TlsServerEndPoint.of(certificate))
                .isEqualTo(MessageDigest.getInstance("SHA-384").digest(certificate.getEncoded()));
    }

    @Test
    void rsaPssUsesTheHashFromItsParameters() throws Exception {
        assertThat(TlsServerEndPoint.digestName(selfSigned("RSA", "SHA384withRSAandMGF1"))).isEqualTo("SHA-384");
    }

    @Test
    void ed25519HasNoHashToBindTo() throws Exception {
        X509Certificate certificate = selfSigned("Ed25519", "Ed25519");
        assertThatThrownBy(() -> TlsServerEndPoint.of(certificate))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no channel binding hash");
    }
}
