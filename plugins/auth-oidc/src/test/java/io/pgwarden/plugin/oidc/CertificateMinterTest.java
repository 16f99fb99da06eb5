package io.pgwarden.plugin.oidc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgwarden.plugin.oidc.TestCertificateAuthority.KeyType;
import io.pgwarden.spi.PluginConfig;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.SubjectKeyIdentifier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class CertificateMinterTest {

    private static final TestCertificateAuthority RSA = TestCertificateAuthority.create(KeyType.RSA);
    private static final TestCertificateAuthority EC = TestCertificateAuthority.create(KeyType.EC);

    @TempDir
    Path directory;

    private CaKeyPair load(TestCertificateAuthority ca) {
        StrategyTestServices services = new StrategyTestServices().env("CA_KEY", ca.pkcs8KeyPem());
        PluginConfig section = new PluginConfig("plugins[0].client_cert",
                Map.of("ca_cert", ca.writeCertificate(directory).toString(), "ca_key", "${env:CA_KEY}"));
        return CaKeyPair.load(section, services);
    }

    static List<X509Certificate> certificates(String pem) throws Exception {
        CertificateFactory factory = CertificateFactory.getInstance("X.509");
        return factory.generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII))).stream()
                .map(X509Certificate.class::cast).toList();
    }

    static PrivateKey privateKey(String pem) throws Exception {
        assertThat(pem).startsWith("-----BEGIN PRIVATE KEY-----\n").endsWith("-----END PRIVATE KEY-----\n");
        String base64 = pem.replace("-----BEGIN PRIVATE KEY-----", "").replace("-----END PRIVATE KEY-----", "").replace("\n", "");
        return KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(base64)));
    }

    /** PKIX validation as a TLS peer would do it, against the CA as the only trust anchor, revocation off. */
    static void validate(List<X509Certificate> chain, X509Certificate ca, Instant at) throws Exception {
        PKIXParameters parameters = new PKIXParameters(Set.of(new TrustAnchor(ca, null)));
        parameters.setRevocationEnabled(false);
        parameters.setDate(Date.from(at));
        CertificateFactory factory = CertificateFactory.getInstance("X.509");
        CertPathValidator.getInstance("PKIX").validate(factory.generateCertPath(chain.subList(0, 1)), parameters);
    }

    @ParameterizedTest
    @EnumSource(KeyType.class)
    void mintedCertificateIsAValidClientCertificateOfTheCa(KeyType type) throws Exception {
        TestCertificateAuthority ca = type == KeyType.RSA ? RSA : EC;
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);

        CertificateMinter.Minted minted = new CertificateMinter(load(ca)).mint("alice", now, Duration.ofHours(1));

        List<X509Certificate> chain = certificates(minted.chainPem());
        assertThat(chain).hasSize(2);
        assertThat(chain.get(1)).isEqualTo(ca.certificate);
        assertThat(certificates(minted.certificatePem())).containsExactly(chain.get(0));
        X509Certificate leaf = chain.get(0);
        validate(chain, ca.certificate, now);
        assertThat(leaf.getSubjectX500Principal().getName()).isEqualTo("CN=alice");
        assertThat(leaf.getIssuerX500Principal()).isEqualTo(ca.certificate.getSubjectX500Principal());
        assertThat(leaf.getSigAlgName()).isEqualTo(type == KeyType.RSA ? "SHA256withRSA" : "SHA256withECDSA");
        assertThat(leaf.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.2");
        assertThat(leaf.getKeyUsage()[0]).as("digitalSignature").isTrue();
        assertThat(leaf.getKeyUsage()[5]).as("keyCertSign").isFalse();
        assertThat(leaf.getBasicConstraints()).isEqualTo(-1);
        assertThat(leaf.getNotBefore().toInstant()).isEqualTo(now.minus(Duration.ofMinutes(1)));
        assertThat(leaf.getNotAfter().toInstant()).isEqualTo(now.plus(Duration.ofHours(1))).isEqualTo(minted.notAfter());
        assertThat(leaf.getSerialNumber().signum()).isPositive();
        assertThat(leaf.getSerialNumber().bitLength()).isLessThanOrEqualTo(128);
        assertThat(leaf.getPublicKey().getAlgorithm()).isEqualTo("EC");
        assertThat(leaf.getPublicKey().getEncoded()).hasSize(91); // P-256 SubjectPublicKeyInfo
        byte[] ski = ASN1OctetString.getInstance(ASN1OctetString.getInstance(ca.certificate.getExtensionValue("2.5.29.14"))
                .getOctets()).getOctets();
        AuthorityKeyIdentifier aki = AuthorityKeyIdentifier.getInstance(
                ASN1OctetString.getInstance(leaf.getExtensionValue("2.5.29.35")).getOctets());
        assertThat(aki.getKeyIdentifierObject().getOctets()).isEqualTo(ski);
        assertThat(aki.getAuthorityCertIssuer()).as("key id only").isNull();
        assertThat(SubjectKeyIdentifier.getInstance(ASN1OctetString.getInstance(leaf.getExtensionValue("2.5.29.14")).getOctets())
                .getKeyIdentifier()).isNotEmpty();

        Signature signer = Signature.getInstance("SHA256withECDSA");
        signer.initSign(privateKey(minted.privateKeyPem()));
        signer.update(new byte[] {1, 2, 3});
        Signature verifier = Signature.getInstance("SHA256withECDSA");
        verifier.initVerify(leaf.getPublicKey());
        verifier.update(new byte[] {1, 2, 3});
        assertThat(verifier.verify(signer.sign())).as("the key belongs to the certificate").isTrue();
    }

    @Test
    void caWithoutSubjectKeyIdentifierStillMintsAValidChain() throws Exception {
        TestCertificateAuthority ca = TestCertificateAuthority.create(KeyType.EC, true, Instant.now().plusSeconds(3600), false);
        assertThat(ca.certificate.getExtensionValue("2.5.29.14")).isNull();

        List<X509Certificate> chain = certificates(new CertificateMinter(load(ca)).mint("alice", Instant.now(), Duration.ofHours(1))
                .chainPem());

        validate(chain, ca.certificate, Instant.now());
        assertThat(chain.get(0).getExtensionValue("2.5.29.35")).isNotNull();
    }

    @Test
    void certificateIsRefusedOutsideItsValidity() throws Exception {
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        List<X509Certificate> chain = certificates(new CertificateMinter(load(EC)).mint("alice", now, Duration.ofMinutes(5))
                .chainPem());

        validate(chain, EC.certificate, now.minusSeconds(59));
        validate(chain, EC.certificate, now.plus(Duration.ofMinutes(5)));
        assertThatThrownBy(() -> validate(chain, EC.certificate, now.minusSeconds(61))).isInstanceOf(CertPathValidatorException.class);
        assertThatThrownBy(() -> validate(chain, EC.certificate, now.plus(Duration.ofMinutes(5)).plusSeconds(1)))
                .isInstanceOf(CertPathValidatorException.class);
    }

    @Test
    void certificateOfAnotherCaIsNotValid() throws Exception {
        List<X509Certificate> chain = certificates(new CertificateMinter(load(EC)).mint("alice", Instant.now(), Duration.ofHours(1))
                .chainPem());

        assertThatThrownBy(() -> validate(chain, RSA.certificate, Instant.now())).isInstanceOf(CertPathValidatorException.class);
    }

    @Test
    void roleWithDistinguishedNameSyntaxIsTheExactCommonName() throws Exception {
        String role = "o'brien,ou=admins+cn=root \"x\" é";
        X509Certificate leaf = certificates(new CertificateMinter(load(EC)).mint(role, Instant.now(), Duration.ofHours(1))
                .certificatePem()).get(0);

        X500Name subject = X500Name.getInstance(leaf.getSubjectX500Principal().getEncoded());
        assertThat(subject.getRDNs()).hasSize(1);
        assertThat(subject.getRDNs(BCStyle.CN)).hasSize(1);
        assertThat(subject.getRDNs(BCStyle.CN)[0].getFirst().getValue().toString()).isEqualTo(role);
    }

    @Test
    void everyCertificateHasItsOwnKeyAndSerial() throws Exception {
        CertificateMinter minter = new CertificateMinter(load(EC));
        CertificateMinter.Minted first = minter.mint("alice", Instant.now(), Duration.ofHours(1));
        CertificateMinter.Minted second = minter.mint("alice", Instant.now(), Duration.ofHours(1));

        assertThat(second.privateKeyPem()).isNotEqualTo(first.privateKeyPem());
        assertThat(certificates(second.certificatePem()).get(0).getSerialNumber())
                .isNotEqualTo(certificates(first.certificatePem()).get(0).getSerialNumber());
        assertThat(first.toString()).doesNotContain("PRIVATE");
    }
}
