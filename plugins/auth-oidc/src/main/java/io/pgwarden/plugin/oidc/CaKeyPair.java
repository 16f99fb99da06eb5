package io.pgwarden.plugin.oidc;

import io.pgwarden.spi.PluginConfig;
import io.pgwarden.spi.PluginConfigException;
import io.pgwarden.spi.Services;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.regex.Pattern;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

/**
 * The CA that PostgreSQL trusts for client certificates ({@code ssl_ca_file}): its certificate (with
 * any further chain certificates in the same file) from {@code ca_cert}, and its private key from the
 * secret reference {@code ca_key}. Loaded once at startup; a key that does not belong to the
 * certificate is a configuration error.
 */
final class CaKeyPair {

    private static final Pattern REFERENCE = Pattern.compile("\\$\\{(env|file):[^}]+}");
    private static final SecureRandom RANDOM = new SecureRandom();

    private final X509Certificate certificate;
    private final PrivateKey privateKey;
    private final String signatureAlgorithm;
    private final String chainPem;

    private CaKeyPair(X509Certificate certificate, PrivateKey privateKey, String signatureAlgorithm, String chainPem) {
        this.certificate = certificate;
        this.privateKey = privateKey;
        this.signatureAlgorithm = signatureAlgorithm;
        this.chainPem = chainPem;
    }

    /**
     * Loads {@code ca_cert} and {@code ca_key} of a {@code client_cert} section.
     *
     * @param clientCert the {@code client_cert} section
     * @param services for the secret reference and the clock
     * @return the CA
     * @throws PluginConfigException naming {@code ca_cert} or {@code ca_key} when either cannot be
     *     read, the CA certificate is not valid now or is not a CA, the key is written literally, is
     *     encrypted, is neither RSA nor EC, or does not belong to the certificate
     */
    static CaKeyPair load(PluginConfig clientCert, Services services) {
        String certPath = clientCert.pathOf("ca_cert");
        String keyPath = clientCert.pathOf("ca_key");
        List<X509Certificate> certificates = certificates(clientCert.requireString("ca_cert").trim(), certPath);
        X509Certificate certificate = certificates.get(0);
        checkCa(certificate, certPath, services.clock().instant());
        PrivateKey key = privateKey(secret(clientCert, services), keyPath);
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            default -> throw new PluginConfigException(keyPath, "is a " + key.getAlgorithm() + " key; the CA key must be RSA or EC");
        };
        if (!belongsTo(key, algorithm, certificate)) {
            throw new PluginConfigException(keyPath, "is not the private key of the certificate in " + certPath
                    + " (" + certificate.getSubjectX500Principal().getName() + ")");
        }
        StringBuilder chain = new StringBuilder();
        try {
            for (X509Certificate each : certificates) {
                chain.append(Pem.encode("CERTIFICATE", each.getEncoded()));
            }
        } catch (CertificateEncodingException e) {
            throw new PluginConfigException(certPath, "cannot encode the certificate: " + e.getMessage());
        }
        return new CaKeyPair(certificate, key, algorithm, chain.toString());
    }

    private static List<X509Certificate> certificates(String file, String certPath) {
        String text;
        try {
            text = Files.readString(Path.of(file), StandardCharsets.US_ASCII);
        } catch (IOException | RuntimeException e) {
            throw new PluginConfigException(certPath, "cannot read the CA certificate " + file + ": " + e);
        }
        List<X509Certificate> result = new ArrayList<>();
        JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
        try (PEMParser parser = new PEMParser(new StringReader(text))) {
            for (Object item = parser.readObject(); item != null; item = parser.readObject()) {
                if (item instanceof X509CertificateHolder holder) {
                    result.add(converter.getCertificate(holder));
                }
            }
        } catch (IOException | CertificateException | RuntimeException e) {
            throw new PluginConfigException(certPath, file + " is not a PEM certificate: " + e.getMessage());
        }
        if (result.isEmpty()) {
            throw new PluginConfigException(certPath, file + " holds no PEM certificate (-----BEGIN CERTIFICATE-----)");
        }
        return List.copyOf(result);
    }

    private static void checkCa(X509Certificate certificate, String certPath, Instant now) {
        try {
            certificate.checkValidity(Date.from(now));
        } catch (CertificateExpiredException e) {
            throw new PluginConfigException(certPath, "the CA certificate expired at " + certificate.getNotAfter().toInstant());
        } catch (CertificateNotYetValidException e) {
            throw new PluginConfigException(certPath, "the CA certificate is not valid before "
                    + certificate.getNotBefore().toInstant());
        }
        boolean hasBasicConstraints = certificate.getExtensionValue("2.5.29.19") != null;
        if (hasBasicConstraints && certificate.getBasicConstraints() < 0) {
            throw new PluginConfigException(certPath, "is not a CA certificate (basicConstraints CA:FALSE); "
                    + "give the certificate of the CA in PostgreSQL's ssl_ca_file");
        }
        boolean[] keyUsage = certificate.getKeyUsage();
        if (keyUsage != null && (keyUsage.length <= 5 || !keyUsage[5])) {
            throw new PluginConfigException(certPath, "may not sign certificates (its keyUsage lacks keyCertSign)");
        }
    }

    private static String secret(PluginConfig clientCert, Services services) {
        String keyPath = clientCert.pathOf("ca_key");
        String reference = clientCert.requireString("ca_key").trim();
        if (!REFERENCE.matcher(reference).matches()) {
            // The value itself is not repeated: it may be the key.
            throw new PluginConfigException(keyPath, "must be a secret reference such as ${file:/etc/pgwarden/db-client-ca.key}"
                    + " or ${env:NAME}; a key written in the configuration file is refused");
        }
        try {
            return services.resolveSecret(reference);
        } catch (PluginConfigException e) {
            String prefix = e.path() + ": ";
            String message = e.getMessage().startsWith(prefix) ? e.getMessage().substring(prefix.length()) : e.getMessage();
            throw new PluginConfigException(keyPath, message);
        }
    }

    private static PrivateKey privateKey(String pem, String keyPath) {
        JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
        try (Reader reader = new StringReader(pem); PEMParser parser = new PEMParser(reader)) {
            for (Object item = parser.readObject(); item != null; item = parser.readObject()) {
                if (item instanceof PEMKeyPair pair) {
                    // Only the private key is needed; a traditional EC key may lack its optional public key.
                    return converter.getPrivateKey(pair.getPrivateKeyInfo());
                }
                if (item instanceof PrivateKeyInfo info) {
                    return converter.getPrivateKey(info);
                }
                if (item instanceof PEMEncryptedKeyPair || item instanceof PKCS8EncryptedPrivateKeyInfo) {
                    throw new PluginConfigException(keyPath, "is an encrypted key; give it unencrypted and protect the file");
                }
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof PluginConfigException config) {
                throw config;
            }
            // The parser's message may quote the input; only its type is reported.
            throw new PluginConfigException(keyPath, "is not a readable PEM private key (" + e.getClass().getSimpleName() + ")");
        }
        throw new PluginConfigException(keyPath, "holds no PEM private key (PKCS#8 -----BEGIN PRIVATE KEY----- or traditional"
                + " -----BEGIN RSA PRIVATE KEY----- / -----BEGIN EC PRIVATE KEY-----)");
    }

    /** Signs a random message with the key and verifies it with the certificate: works for RSA and EC alike. */
    private static boolean belongsTo(PrivateKey key, String algorithm, X509Certificate certificate) {
        if (!certificate.getPublicKey().getAlgorithm().equals(key.getAlgorithm())) {
            return false;
        }
        byte[] message = new byte[32];
        RANDOM.nextBytes(message);
        try {
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(message);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(certificate.getPublicKey());
            verifier.update(message);
            return verifier.verify(signature);
        } catch (GeneralSecurityException | RuntimeException e) {
            return false;
        }
    }

    /** The CA certificate, the issuer of minted certificates. */
    X509Certificate certificate() {
        return certificate;
    }

    /** The CA private key. */
    PrivateKey privateKey() {
        return privateKey;
    }

    /** {@code SHA256withRSA} or {@code SHA256withECDSA}, after the key. */
    String signatureAlgorithm() {
        return signatureAlgorithm;
    }

    /** The certificates of {@code ca_cert}, PEM, the CA first: appended after a minted leaf. */
    String chainPem() {
        return chainPem;
    }

    @Override
    public String toString() {
        return "CaKeyPair[" + certificate.getSubjectX500Principal().getName() + ", key=***]";
    }
}
