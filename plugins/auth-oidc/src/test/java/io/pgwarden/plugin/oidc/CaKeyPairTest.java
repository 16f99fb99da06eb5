package io.pgwarden.plugin.oidc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgwarden.plugin.oidc.TestCertificateAuthority.KeyType;
import io.pgwarden.spi.PluginConfig;
import io.pgwarden.spi.PluginConfigException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class CaKeyPairTest {

    private static final TestCertificateAuthority RSA = TestCertificateAuthority.create(KeyType.RSA);
    private static final TestCertificateAuthority EC = TestCertificateAuthority.create(KeyType.EC);

    @TempDir
    Path directory;

    private final StrategyTestServices services = new StrategyTestServices();

    private PluginConfig section(Map<String, Object> values) {
        return new PluginConfig("plugins[2]", Map.of("client_cert", values)).section("client_cert");
    }

    private PluginConfig section(TestCertificateAuthority ca, String keyPem) {
        services.env("CA_KEY", keyPem);
        return section(Map.of("ca_cert", ca.writeCertificate(directory).toString(), "ca_key", "${env:CA_KEY}"));
    }

    private static TestCertificateAuthority ca(KeyType type) {
        return type == KeyType.RSA ? RSA : EC;
    }

    @ParameterizedTest
    @EnumSource(KeyType.class)
    void loadsPkcs8Key(KeyType type) {
        CaKeyPair loaded = CaKeyPair.load(section(ca(type), ca(type).pkcs8KeyPem()), services);

        assertThat(loaded.certificate()).isEqualTo(ca(type).certificate);
        assertThat(loaded.privateKey().getEncoded()).isEqualTo(ca(type).keys.getPrivate().getEncoded());
        assertThat(loaded.signatureAlgorithm()).isEqualTo(type == KeyType.RSA ? "SHA256withRSA" : "SHA256withECDSA");
        assertThat(loaded.chainPem()).isEqualTo(ca(type).certificatePem().replace("\r\n", "\n"));
        assertThat(loaded.toString()).doesNotContain("PRIVATE");
    }

    @ParameterizedTest
    @EnumSource(KeyType.class)
    void loadsTraditionalKey(KeyType type) {
        String traditional = ca(type).traditionalKeyPem();
        assertThat(traditional).contains("-----BEGIN " + type + " PRIVATE KEY-----");

        CaKeyPair loaded = CaKeyPair.load(section(ca(type), traditional), services);

        assertThat(loaded.privateKey().getAlgorithm()).isEqualTo(type.name());
    }

    @Test
    void loadsKeyFromFileReference() {
        Path key = TestCertificateAuthority.writeFile(directory.resolve("ca.key"), RSA.pkcs8KeyPem() + "\n");

        CaKeyPair loaded = CaKeyPair.load(section(Map.of("ca_cert", RSA.writeCertificate(directory).toString(),
                "ca_key", "${file:" + key + "}")), services);

        assertThat(loaded.privateKey().getAlgorithm()).isEqualTo("RSA");
    }

    @Test
    void keyOfAnotherCaIsAConfigErrorAtCaKey() {
        TestCertificateAuthority other = TestCertificateAuthority.create(KeyType.RSA);

        assertThatThrownBy(() -> CaKeyPair.load(section(RSA, other.pkcs8KeyPem()), services))
                .isInstanceOf(PluginConfigException.class)
                .hasMessageStartingWith("plugins[2].client_cert.ca_key: is not the private key of the certificate in "
                        + "plugins[2].client_cert.ca_cert")
                .extracting(e -> ((PluginConfigException) e).path()).isEqualTo("plugins[2].client_cert.ca_key");
    }

    @Test
    void keyOfAnotherAlgorithmIsAConfigError() {
        assertThatThrownBy(() -> CaKeyPair.load(section(RSA, EC.pkcs8KeyPem()), services))
                .isInstanceOf(PluginConfigException.class)
                .hasMessageContaining("ca_key: is not the private key of the certificate");
    }

    @Test
    void literalKeyIsRefusedWithoutRepeatingIt() {
        String literal = RSA.pkcs8KeyPem();
        PluginConfig section = section(Map.of("ca_cert", RSA.writeCertificate(directory).toString(), "ca_key", literal));

        assertThatThrownBy(() -> CaKeyPair.load(section, services))
                .isInstanceOf(PluginConfigException.class)
                .hasMessageStartingWith("plugins[2].client_cert.ca_key: must be a secret reference")
                .hasMessageContaining("a key written in the configuration file is refused")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("PRIVATE KEY").doesNotContain(literal.substring(40, 80)));
    }

    @Test
    void unsetVariableIsReportedAtCaKey() {
        PluginConfig section = section(Map.of("ca_cert", RSA.writeCertificate(directory).toString(), "ca_key", "${env:NOPE}"));

        assertThatThrownBy(() -> CaKeyPair.load(section, services))
                .isInstanceOf(PluginConfigException.class)
                .hasMessage("plugins[2].client_cert.ca_key: the environment variable NOPE is not set");
    }

    @Test
    void textThatIsNoKeyIsRefusedWithoutRepeatingIt() {
        assertThatThrownBy(() -> CaKeyPair.load(section(RSA, "hunter2"), services))
                .isInstanceOf(PluginConfigException.class)
                .hasMessageStartingWith("plugins[2].client_cert.ca_key: holds no PEM private key")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("hunter2"));
        String broken = "-----BEGIN PRIVATE KEY-----\nc2VjcmV0LXN0dWZm\n-----END PRIVATE KEY-----\n";
        assertThatThrownBy(() -> CaKeyPair.load(section(RSA, broken), services))
                .isInstanceOf(PluginConfigException.class)
                .hasMessageStartingWith("plugins[2].client_cert.ca_key: is not a readable PEM private key")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("c2VjcmV0"));
    }

    @Test
    void caCertificateIsRequiredAndMustBeReadable() {
        services.env("CA_KEY", RSA.pkcs8KeyPem());
        assertThatThrownBy(() -> CaKeyPair.load(section(Map.of("ca_key", "${env:CA_KEY}")), services))
                .hasMessage("plugins[2].client_cert.ca_cert: is required");
        assertThatThrownBy(() -> CaKeyPair.load(section(Map.of("ca_cert", directory.resolve("missing.pem").toString(),
                "ca_key", "${env:CA_KEY}")), services))
                .isInstanceOf(PluginConfigException.class)
                .hasMessageStartingWith("plugins[2].client_cert.ca_cert: cannot read the CA certificate");
        Path notPem = TestCertificateAuthority.writeFile(directory.resolve("key-not-cert.pem"), "just text\n");
        assertThatThrownBy(() -> CaKeyPair.load(section(Map.of("ca_cert", notPem.toString(), "ca_key", "${env:CA_KEY}")),
                services))
                .hasMessageStartingWith("plugins[2].client_cert.ca_cert: ")
                .hasMessageContaining("holds no PEM certificate");
    }

    @Test
    void certificateThatIsNoCaIsRefused() {
        TestCertificateAuthority leaf = TestCertificateAuthority.create(KeyType.EC, false, Instant.now().plusSeconds(3600));

        assertThatThrownBy(() -> CaKeyPair.load(section(leaf, leaf.pkcs8KeyPem()), services))
                .isInstanceOf(PluginConfigException.class)
                .hasMessageStartingWith("plugins[2].client_cert.ca_cert: is not a CA certificate");
    }

    @Test
    void expiredCaIsRefused() {
        TestCertificateAuthority expired = TestCertificateAuthority.create(KeyType.EC, true, Instant.now().minusSeconds(60));

        assertThatThrownBy(() -> CaKeyPair.load(section(expired, expired.pkcs8KeyPem()), services))
                .isInstanceOf(PluginConfigException.class)
                .hasMessageStartingWith("plugins[2].client_cert.ca_cert: the CA certificate expired at");
    }
}
