package io.pgwarden.core.config;

import java.nio.file.Path;
import java.util.Objects;

/**
 * TLS towards a server ({@code backends.NAME.tls:}), with libpq's sslmode meanings.
 *
 * @param mode the mode; default {@code prefer}
 * @param ca PEM CA bundle; required for {@code verify-ca} and {@code verify-full}
 */
public record BackendTlsConfig(Mode mode, Path ca) {

    /** libpq's sslmode values that a proxy can use. */
    public enum Mode {
        /** Plaintext only. */
        DISABLE,
        /** TLS when the server offers it, without verifying the certificate. */
        PREFER,
        /** TLS or fail, without verifying the certificate. */
        REQUIRE,
        /** TLS with the certificate verified against the CA. */
        VERIFY_CA,
        /** TLS with the certificate verified against the CA and the host name. */
        VERIFY_FULL;

        /**
         * The YAML spelling, e.g. {@code verify-full}.
         *
         * @return the name
         */
        public String yamlName() {
            return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        }
    }

    /** Checks that verifying modes have a CA. */
    public BackendTlsConfig {
        Objects.requireNonNull(mode, "mode");
        if ((mode == Mode.VERIFY_CA || mode == Mode.VERIFY_FULL) && ca == null) {
            throw new IllegalArgumentException("TLS mode " + mode.yamlName() + " needs a CA file");
        }
    }
}
