package io.pgwarden.plugin.scram;

import io.pgwarden.scram.Md5Password;
import io.pgwarden.scram.ScramVerifier;
import java.util.Objects;

/**
 * What a credential source holds for a user, in one of the three forms PgBouncer's auth_file and
 * {@code pg_authid.rolpassword} use. Never prints its secret.
 */
sealed interface StoredSecret permits StoredSecret.Scram, StoredSecret.Md5, StoredSecret.Plain {

    /**
     * Reads a secret as a userlist or an auth_query gives it: a SCRAM-SHA-256 verifier, an md5 hash,
     * or else a plaintext password, whose SCRAM verifier is derived here with a random salt (a
     * CPU-bound loop: call off the event loop).
     *
     * @param text the secret text
     * @param iterations the iteration count for a verifier derived from a plaintext password
     * @return the secret
     * @throws IllegalArgumentException when the text looks like a SCRAM verifier but is not a valid
     *     one; the message never repeats the text
     */
    static StoredSecret parse(String text, int iterations) {
        Objects.requireNonNull(text, "text");
        if (ScramVerifier.isVerifier(text)) {
            return new Scram(ScramVerifier.parse(text));
        }
        if (Md5Password.isHash(text)) {
            return new Md5(text);
        }
        return new Plain(text, ScramVerifier.generate(text, iterations));
    }

    /**
     * A SCRAM-SHA-256 verifier.
     *
     * @param verifier the verifier
     */
    record Scram(ScramVerifier verifier) implements StoredSecret {
        /** Checks for null. */
        public Scram {
            Objects.requireNonNull(verifier, "verifier");
        }
    }

    /**
     * An md5 hash, {@code md5} and 32 hex digits.
     *
     * @param hash the hash
     */
    record Md5(String hash) implements StoredSecret {
        /** Checks for null. */
        public Md5 {
            Objects.requireNonNull(hash, "hash");
        }

        @Override
        public String toString() {
            return "Md5[***]";
        }
    }

    /**
     * A plaintext password, with the SCRAM verifier derived from it for SCRAM clients.
     *
     * @param password the password
     * @param verifier its verifier
     */
    record Plain(String password, ScramVerifier verifier) implements StoredSecret {
        /** Checks for null. */
        public Plain {
            Objects.requireNonNull(password, "password");
            Objects.requireNonNull(verifier, "verifier");
        }

        @Override
        public String toString() {
            return "Plain[***]";
        }
    }
}
