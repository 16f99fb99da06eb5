package io.pgwarden.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.SignatureException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class TestCertificatesTest {

    private static TestCertificates certificates;

    @BeforeAll
    static void mint() {
        certificates = TestCertificates.create();
    }

    @AfterAll
    static void delete() {
        certificates.close();
    }

    @Test
    void serverCertificateIsSignedByTheCaForLocalhostAndLoopback() throws Exception {
        X509Certificate server = read(certificates.serverCertificate());
        X509Certificate ca = read(certificates.caCertificate());

        server.verify(ca.getPublicKey());
        server.checkValidity();
        assertThat(server.getSubjectAlternativeNames())
                .contains(List.of(2, "localhost"), List.of(7, "127.0.0.1"));
        assertThat(server.getExtendedKeyUsage()).contains("1.3.6.1.5.5.7.3.1");
        assertThat(ca.getBasicConstraints()).isGreaterThanOrEqualTo(0);
        assertThat(server.getBasicConstraints()).isEqualTo(-1);
    }

    @Test
    void serverKeyFileIsPkcs8PemMatchingTheCertificateWithMode0600() throws Exception {
        Path keyFile = certificates.serverKey();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keyFile))).isEqualTo("rw-------");
        String pem = Files.readString(keyFile);
        assertThat(pem).startsWith("-----BEGIN PRIVATE KEY-----\n").endsWith("-----END PRIVATE KEY-----\n");

        PrivateKey key = KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(decodePem(pem)));
        assertThat(signatureVerifies(key, read(certificates.serverCertificate()))).isTrue();
    }

    @Test
    void clientCertificateCarriesTheCommonNameAndIsSignedByTheCa() throws Exception {
        ClientCertificate alice = certificates.client("alice");

        X509Certificate fromFile = read(alice.certificate());
        fromFile.verify(certificates.caX509().getPublicKey());
        assertThat(fromFile.getSubjectX500Principal().getName()).isEqualTo("CN=alice");
        assertThat(fromFile.getExtendedKeyUsage()).contains("1.3.6.1.5.5.7.3.2");
        assertThat(Files.readAllBytes(alice.keyDer())).isEqualTo(alice.privateKey().getEncoded());
        assertThat(certificates.client("alice")).isSameAs(alice);
    }

    @Test
    void unrelatedCaSignaturesDoNotVerifyAgainstTheTestCa() throws Exception {
        X509Certificate foreign = read(certificates.untrustedClient("alice").certificate());
        X509Certificate foreignServer = read(certificates.unrelatedServerCertificate());

        assertThatThrownBy(() -> foreign.verify(certificates.caX509().getPublicKey()))
                .isInstanceOf(SignatureException.class);
        assertThatThrownBy(() -> foreignServer.verify(certificates.caX509().getPublicKey()))
                .isInstanceOf(SignatureException.class);
        foreign.verify(read(certificates.unrelatedCaCertificate()).getPublicKey());
    }

    @Test
    void closeDeletesTheDirectory() {
        TestCertificates own = TestCertificates.create();
        own.client("bob");
        Path directory = own.directory();

        own.close();

        assertThat(Files.exists(directory)).isFalse();
    }

    private static boolean signatureVerifies(PrivateKey key, X509Certificate certificate) throws GeneralSecurityException {
        byte[] data = {1, 2, 3};
        Signature signer = Signature.getInstance("SHA256withRSA");
        signer.initSign(key);
        signer.update(data);
        byte[] signature = signer.sign();
        Signature verifier = Signature.getInstance("SHA256withRSA");
        verifier.initVerify(certificate.getPublicKey());
        verifier.update(data);
        return verifier.verify(signature);
    }

    private static byte[] decodePem(String pem) {
        String body = pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        return Base64.getDecoder().decode(body);
    }

    private static X509Certificate read(Path file) throws Exception {
        try (InputStream in = Files.newInputStream(file)) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
    }
}
