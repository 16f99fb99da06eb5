package io.pgwarden.plugin.oidc;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** Writes PEM blocks as OpenSSL and Netty read them: 64-character lines, a newline after the footer. */
final class Pem {

    private static final Base64.Encoder ENCODER = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII));

    private Pem() {
    }

    /**
     * One PEM block.
     *
     * @param type the label, e.g. {@code CERTIFICATE} or {@code PRIVATE KEY}
     * @param der the DER bytes
     * @return the block
     */
    static String encode(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + ENCODER.encodeToString(der) + "\n-----END " + type + "-----\n";
    }
}
