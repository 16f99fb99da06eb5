package io.pgwarden.core.backend;

import java.util.List;
import java.util.Objects;

/**
 * An Authentication request a backend sent, as handed to a {@link BackendAuthResponder}. GSSAPI,
 * SSPI and Kerberos requests never get here: the connector refuses them itself.
 */
public sealed interface AuthRequest permits AuthRequest.CleartextPassword, AuthRequest.Md5Password,
        AuthRequest.Sasl, AuthRequest.SaslContinue, AuthRequest.SaslFinal {

    /** AuthenticationCleartextPassword: answer with a PasswordMessage holding the password. */
    record CleartextPassword() implements AuthRequest {
    }

    /**
     * AuthenticationMD5Password: answer with a PasswordMessage holding the salted md5 hash.
     *
     * @param salt the four bytes of salt
     */
    record Md5Password(byte[] salt) implements AuthRequest {
        /** Copies the salt. */
        public Md5Password {
            salt = salt.clone();
        }

        @Override
        public byte[] salt() {
            return salt.clone();
        }
    }

    /**
     * AuthenticationSASL: answer with a SASLInitialResponse for one of the mechanisms.
     *
     * @param mechanisms the server's mechanisms, in its order of preference
     * @param tlsServerEndPoint channel binding data ({@code tls-server-end-point}, RFC 5929) of this
     *     connection, or null when it is not encrypted (or the certificate's signature algorithm has
     *     no hash to bind to)
     */
    record Sasl(List<String> mechanisms, byte[] tlsServerEndPoint) implements AuthRequest {
        /** Copies the list and the data. */
        public Sasl {
            mechanisms = List.copyOf(mechanisms);
            tlsServerEndPoint = tlsServerEndPoint == null ? null : tlsServerEndPoint.clone();
        }

        @Override
        public byte[] tlsServerEndPoint() {
            return tlsServerEndPoint == null ? null : tlsServerEndPoint.clone();
        }
    }

    /**
     * AuthenticationSASLContinue: answer with a SASLResponse.
     *
     * @param data the mechanism's data (for SCRAM, the server-first-message)
     */
    record SaslContinue(byte[] data) implements AuthRequest {
        /** Copies the data. */
        public SaslContinue {
            data = Objects.requireNonNull(data, "data").clone();
        }

        @Override
        public byte[] data() {
            return data.clone();
        }
    }

    /**
     * AuthenticationSASLFinal: nothing is sent back; the responder checks the data (for SCRAM, the
     * server's signature) and fails when it is wrong.
     *
     * @param data the mechanism's final data
     */
    record SaslFinal(byte[] data) implements AuthRequest {
        /** Copies the data. */
        public SaslFinal {
            data = Objects.requireNonNull(data, "data").clone();
        }

        @Override
        public byte[] data() {
            return data.clone();
        }
    }
}
