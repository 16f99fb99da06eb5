package io.pgwarden.scram;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.Objects;

/**
 * A SCRAM-SHA-256 verifier in PostgreSQL's format,
 * {@code SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>} (base64 parts), as
 * {@code pg_authid.rolpassword} holds it. It proves a password without holding it: a client's
 * proof is checked against StoredKey, and the ClientKey the proof reveals logs into any server that
 * holds the same verifier.
 *
 * <p>{@link #toString()} never prints the keys; {@link #encode()} gives the verifier text.
 */
public final class ScramVerifier {

    /** The prefix of every verifier. */
    public static final String PREFIX = "SCRAM-SHA-256$";
    /** PostgreSQL's default iteration count ({@code scram_iterations}). */
    public static final int DEFAULT_ITERATIONS = 4096;
    /** The salt length PostgreSQL uses. */
    public static final int SALT_LENGTH = 16;
    /** The highest iteration count accepted, so that a hostile verifier cannot stall a thread for long. */
    public static final int MAX_ITERATIONS = 10_000_000;

    private static final SecureRandom RANDOM = new SecureRandom();

    private final int iterations;
    private final byte[] salt;
    private final byte[] storedKey;
    private final byte[] serverKey;

    /**
     * Creates a verifier from its parts.
     *
     * @param iterations the iteration count, 1 to {@link #MAX_ITERATIONS}
     * @param salt the salt, not empty
     * @param storedKey SHA-256(ClientKey), 32 bytes
     * @param serverKey the ServerKey, 32 bytes
     */
    public ScramVerifier(int iterations, byte[] salt, byte[] storedKey, byte[] serverKey) {
        if (iterations < 1 || iterations > MAX_ITERATIONS) {
            throw new IllegalArgumentException("iteration count " + iterations + " is outside 1.." + MAX_ITERATIONS);
        }
        if (salt.length == 0) {
            throw new IllegalArgumentException("the salt is empty");
        }
        if (storedKey.length != ScramSha256.KEY_LENGTH || serverKey.length != ScramSha256.KEY_LENGTH) {
            throw new IllegalArgumentException("StoredKey and ServerKey must be " + ScramSha256.KEY_LENGTH + " bytes");
        }
        this.iterations = iterations;
        this.salt = salt.clone();
        this.storedKey = storedKey.clone();
        this.serverKey = serverKey.clone();
    }

    /**
     * Tells whether text looks like a SCRAM-SHA-256 verifier (by its prefix).
     *
     * @param text the text
     * @return true when it starts with {@link #PREFIX}
     */
    public static boolean isVerifier(String text) {
        return text != null && text.startsWith(PREFIX);
    }

    /**
     * Parses a verifier.
     *
     * @param text the verifier text
     * @return the verifier
     * @throws IllegalArgumentException when the text is not a valid verifier; the message never
     *     repeats the text
     */
    public static ScramVerifier parse(String text) {
        Objects.requireNonNull(text, "text");
        if (!isVerifier(text)) {
            throw new IllegalArgumentException("a SCRAM verifier starts with " + PREFIX);
        }
        String rest = text.substring(PREFIX.length());
        int dollar = rest.indexOf('$');
        if (dollar < 0) {
            throw new IllegalArgumentException("a SCRAM verifier has the form " + PREFIX + "<iterations>:<salt>$<StoredKey>:<ServerKey>");
        }
        String[] head = rest.substring(0, dollar).split(":", -1);
        String[] keys = rest.substring(dollar + 1).split(":", -1);
        if (head.length != 2 || keys.length != 2) {
            throw new IllegalArgumentException("a SCRAM verifier has the form " + PREFIX + "<iterations>:<salt>$<StoredKey>:<ServerKey>");
        }
        int iterations;
        try {
            // Integer.parseInt alone would also take a sign and non-ASCII digits (Arabic-Indic ones, for instance).
            if (head[0].isEmpty() || !head[0].chars().allMatch(c -> c >= '0' && c <= '9')) {
                throw new NumberFormatException();
            }
            iterations = Integer.parseInt(head[0]);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("the iteration count of a SCRAM verifier is not a number");
        }
        return new ScramVerifier(iterations, base64(head[1], "salt"), base64(keys[0], "StoredKey"), base64(keys[1], "ServerKey"));
    }

    /**
     * Derives the verifier of a password with a new random salt, as PostgreSQL's
     * {@code password_encryption = scram-sha-256} does.
     *
     * @param password the password
     * @param iterations the iteration count
     * @return the verifier
     */
    public static ScramVerifier generate(String password, int iterations) {
        byte[] salt = new byte[SALT_LENGTH];
        RANDOM.nextBytes(salt);
        return derive(password, salt, iterations);
    }

    /**
     * Derives the verifier of a password with a given salt.
     *
     * @param password the password, SASLprep'd here
     * @param salt the salt
     * @param iterations the iteration count
     * @return the verifier
     */
    public static ScramVerifier derive(String password, byte[] salt, int iterations) {
        byte[] prepared = SaslPrep.prepare(password).getBytes(StandardCharsets.UTF_8);
        byte[] salted = ScramSha256.hi(prepared, salt, iterations);
        byte[] clientKey = ScramSha256.clientKey(salted);
        try {
            return new ScramVerifier(iterations, salt, ScramSha256.sha256(clientKey), ScramSha256.serverKey(salted));
        } finally {
            Arrays.fill(prepared, (byte) 0);
            Arrays.fill(salted, (byte) 0);
            Arrays.fill(clientKey, (byte) 0);
        }
    }

    /**
     * Checks a password against this verifier. Costs {@link #iterations()} HMACs.
     *
     * @param password the password
     * @return true when the password derives the same StoredKey
     */
    public boolean matchesPassword(String password) {
        ScramVerifier derived = derive(password, salt, iterations);
        return MessageDigest.isEqual(derived.storedKey, storedKey) && MessageDigest.isEqual(derived.serverKey, serverKey);
    }

    /**
     * Checks that a ClientKey belongs to this verifier: SHA-256(ClientKey) equals StoredKey,
     * compared in constant time.
     *
     * @param clientKey the candidate ClientKey
     * @return true when it matches
     */
    public boolean matchesClientKey(byte[] clientKey) {
        return clientKey.length == ScramSha256.KEY_LENGTH && MessageDigest.isEqual(ScramSha256.sha256(clientKey), storedKey);
    }

    /**
     * The iteration count.
     *
     * @return the count
     */
    public int iterations() {
        return iterations;
    }

    /**
     * The salt.
     *
     * @return a copy of the salt
     */
    public byte[] salt() {
        return salt.clone();
    }

    /**
     * SHA-256(ClientKey).
     *
     * @return a copy of the stored key
     */
    public byte[] storedKey() {
        return storedKey.clone();
    }

    /**
     * The ServerKey, which signs the server's final message.
     *
     * @return a copy of the server key
     */
    public byte[] serverKey() {
        return serverKey.clone();
    }

    /**
     * The verifier text in PostgreSQL's format, for a userlist or {@code ALTER ROLE ... PASSWORD}.
     *
     * @return the text
     */
    public String encode() {
        Base64.Encoder b64 = Base64.getEncoder();
        return PREFIX + iterations + ":" + b64.encodeToString(salt) + "$" + b64.encodeToString(storedKey) + ":"
                + b64.encodeToString(serverKey);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof ScramVerifier that && iterations == that.iterations && Arrays.equals(salt, that.salt)
                && MessageDigest.isEqual(storedKey, that.storedKey) && MessageDigest.isEqual(serverKey, that.serverKey);
    }

    @Override
    public int hashCode() {
        return Objects.hash(iterations, Arrays.hashCode(salt), Arrays.hashCode(storedKey));
    }

    @Override
    public String toString() {
        return "ScramVerifier[iterations=" + iterations + ", keys=***]";
    }

    private static byte[] base64(String text, String what) {
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the " + what + " of a SCRAM verifier is not base64");
        }
        if (bytes.length == 0) {
            throw new IllegalArgumentException("the " + what + " of a SCRAM verifier is empty");
        }
        return bytes;
    }
}
