package io.pgwarden.core.backend;

import io.pgwarden.spi.Credential;
import java.io.IOException;
import java.io.StringReader;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;

/**
 * The key and chain of a {@link Credential.ClientCertificate}, read from its PEM text with Bouncy
 * Castle. Accepts PKCS#8 keys and the traditional RSA/EC forms; encrypted keys are refused. Error
 * messages never quote the PEM text.
 */
record ClientCertificatePem(PrivateKey key, X509Certificate[] chain) {

    static ClientCertificatePem parse(Credential.ClientCertificate credential) {
        return new ClientCertificatePem(privateKey(credential.privateKeyPem()), chain(credential.certificatePem()));
    }

    private static X509Certificate[] chain(String pem) {
        List<X509Certificate> certificates = new ArrayList<>();
        JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
        try (PEMParser parser = new PEMParser(new StringReader(pem))) {
            for (Object item = parser.readObject(); item != null; item = parser.readObject()) {
                if (!(item instanceof X509CertificateHolder holder)) {
                    throw new IllegalArgumentException("the client certificate PEM holds something other than certificates");
                }
                certificates.add(converter.getCertificate(holder));
            }
        } catch (IOException | CertificateException e) {
            throw new IllegalArgumentException("the client certificate is not valid PEM: " + e.getClass().getSimpleName());
        }
        if (certificates.isEmpty()) {
            throw new IllegalArgumentException("the client certificate PEM holds no certificate");
        }
        return certificates.toArray(X509Certificate[]::new);
    }

    private static PrivateKey privateKey(String pem) {
        Object item;
        try (PEMParser parser = new PEMParser(new StringReader(pem))) {
            item = parser.readObject();
        } catch (IOException e) {
            throw new IllegalArgumentException("the client certificate's private key is not valid PEM");
        }
        JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
        try {
            if (item instanceof PrivateKeyInfo info) {
                return converter.getPrivateKey(info);
            }
            if (item instanceof PEMKeyPair pair) {
                return converter.getKeyPair(pair).getPrivate();
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("the client certificate's private key cannot be read: "
                    + e.getClass().getSimpleName());
        }
        throw new IllegalArgumentException(item == null
                ? "the client certificate's private key PEM holds no key"
                : "the client certificate's private key must be an unencrypted PKCS#8 or traditional key");
    }
}
