package io.pgwarden.spi;

import java.util.Arrays;
import java.util.Objects;

/**
 * How the proxy proves itself to the backend as a {@link BackendLogin}'s user. The records never
 * print their secrets.
 */
public sealed interface Credential
        permits Credential.None, Credential.Password, Credential.ScramKeys, Credential.Md5Hash, Credential.ClientCertificate {

    /**
     * No secret: the backend trusts the proxy (or authenticates it by its TLS client certificate
     * from the backend's configuration).
     *
     * @return the shared instance
     */
    static Credential none() {
        return None.INSTANCE;
    }

    /**
     * A password, used for whatever the backend asks: cleartext, md5 or SCRAM-SHA-256(-PLUS).
     *
     * @param password the password
     * @return the credential
     */
    static Credential password(String password) {
        return new Password(password);
    }

    /** See {@link Credential#none()}. */
    final class None implements Credential {
        static final None INSTANCE = new None();

        private None() {
        }

        @Override
        public String toString() {
            return "None";
        }
    }

    /**
     * See {@link Credential#password}.
     *
     * @param password the password
     */
    record Password(String password) implements Credential {
        /** Checks for null. */
        public Password {
            Objects.requireNonNull(password, "password");
        }

        @Override
        public String toString() {
            return "Password[***]";
        }
    }

    /**
     * SCRAM-SHA-256 keys recovered from a client's proof, which answer the backend's SCRAM
     * challenge without the password, provided the backend holds the same verifier.
     *
     * @param clientKey the ClientKey (32 bytes)
     * @param serverKey the ServerKey (32 bytes), to verify the backend's final message
     */
    record ScramKeys(byte[] clientKey, byte[] serverKey) implements Credential {
        /** Copies the keys. */
        public ScramKeys {
            clientKey = clientKey.clone();
            serverKey = serverKey.clone();
        }

        @Override
        public byte[] clientKey() {
            return clientKey.clone();
        }

        @Override
        public byte[] serverKey() {
            return serverKey.clone();
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof ScramKeys keys
                    && Arrays.equals(clientKey, keys.clientKey) && Arrays.equals(serverKey, keys.serverKey);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(clientKey) * 31 + Arrays.hashCode(serverKey);
        }

        @Override
        public String toString() {
            return "ScramKeys[***]";
        }
    }

    /**
     * A stored md5 password hash ({@code "md5" + md5hex(password + user)}), which answers a backend's
     * AuthenticationMD5Password without the password, as PgBouncer does with md5 entries of its
     * auth_file. It cannot answer SCRAM or cleartext requests. Since SPI 1.1.
     *
     * @param hash {@code md5} followed by 32 lower-case hex digits, as PostgreSQL stores it
     */
    record Md5Hash(String hash) implements Credential {
        /** Checks the form of the hash. */
        public Md5Hash {
            Objects.requireNonNull(hash, "hash");
            if (hash.length() != 35 || !hash.startsWith("md5")
                    || !hash.substring(3).chars().allMatch(c -> c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) {
                throw new IllegalArgumentException("an md5 hash is 'md5' followed by 32 lower-case hex digits");
            }
        }

        @Override
        public String toString() {
            return "Md5Hash[***]";
        }
    }

    /**
     * A TLS client certificate and its private key, both PEM, for backends that authenticate by
     * certificate ({@code cert} in pg_hba).
     *
     * @param certificatePem the certificate chain, leaf first
     * @param privateKeyPem the private key, PKCS#8
     */
    record ClientCertificate(String certificatePem, String privateKeyPem) implements Credential {
        /** Checks for null. */
        public ClientCertificate {
            Objects.requireNonNull(certificatePem, "certificatePem");
            Objects.requireNonNull(privateKeyPem, "privateKeyPem");
        }

        @Override
        public String toString() {
            return "ClientCertificate[***]";
        }
    }
}
