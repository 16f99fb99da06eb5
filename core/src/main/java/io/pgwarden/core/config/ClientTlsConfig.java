package io.pgwarden.core.config;

import java.nio.file.Path;
import java.util.Objects;

/**
 * TLS towards clients ({@code listen.tls:}).
 *
 * @param mode {@code disable}, {@code allow} or {@code require}; default {@code disable}
 * @param certificate PEM certificate chain; required unless the mode is {@code disable}
 * @param privateKey PEM private key (PKCS#8 or PKCS#1); required unless the mode is {@code disable}
 * @param clientCa PEM CA bundle to verify client certificates against, or {@code null} to not ask for one
 */
public record ClientTlsConfig(Mode mode, Path certificate, Path privateKey, Path clientCa) {

    /** Client TLS modes. */
    public enum Mode {
        /** SSLRequest is answered {@code N}; direct TLS is refused. */
        DISABLE,
        /** TLS when the client asks, plaintext otherwise. */
        ALLOW,
        /** A plaintext StartupMessage is refused with FATAL 28000. */
        REQUIRE
    }

    /** Checks that a mode other than disable has its certificate and key. */
    public ClientTlsConfig {
        Objects.requireNonNull(mode, "mode");
        if (mode != Mode.DISABLE && (certificate == null || privateKey == null)) {
            throw new IllegalArgumentException("TLS mode " + mode + " needs a certificate and a key");
        }
    }

    /**
     * TLS off.
     *
     * @return the config
     */
    public static ClientTlsConfig disabled() {
        return new ClientTlsConfig(Mode.DISABLE, null, null, null);
    }
}
