package io.pgwarden.scram;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The SCRAM-SHA-256 functions of RFC 5802 section 2.2 with SHA-256 (RFC 7677). Every method returns
 * a new array; callers clear secrets they no longer need.
 */
public final class ScramSha256 {

    /** The length of every key and signature, in bytes. */
    public static final int KEY_LENGTH = 32;

    private ScramSha256() {
    }

    /**
     * HMAC-SHA-256.
     *
     * @param key the key
     * @param data the data
     * @return the 32-byte MAC
     */
    public static byte[] hmac(byte[] key, byte[] data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }

    /**
     * HMAC-SHA-256 of UTF-8 text, such as an AuthMessage.
     *
     * @param key the key
     * @param data the text
     * @return the 32-byte MAC
     */
    public static byte[] hmac(byte[] key, String data) {
        return hmac(key, data.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * SHA-256.
     *
     * @param data the data
     * @return the 32-byte digest
     */
    public static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }

    /**
     * Hi(str, salt, i): PBKDF2 with HMAC-SHA-256 and one block of output, the SaltedPassword. A
     * CPU-bound loop of {@code iterations} HMACs: never call it on an event loop.
     *
     * @param password the SASLprep'd password as UTF-8
     * @param salt the salt
     * @param iterations the iteration count, at least 1
     * @return the salted password
     */
    public static byte[] hi(byte[] password, byte[] salt, int iterations) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            // An empty password is a legal SCRAM input, but SecretKeySpec refuses empty keys;
            // HMAC pads short keys with zeros, so one zero byte is the same key.
            mac.init(new SecretKeySpec(password.length == 0 ? new byte[1] : password, "HmacSHA256"));
            mac.update(salt);
            mac.update(new byte[] {0, 0, 0, 1});
            byte[] u = mac.doFinal();
            byte[] result = u.clone();
            for (int i = 1; i < iterations; i++) {
                u = mac.doFinal(u);
                for (int j = 0; j < result.length; j++) {
                    result[j] ^= u[j];
                }
            }
            Arrays.fill(u, (byte) 0);
            return result;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }

    /**
     * ClientKey = HMAC(SaltedPassword, "Client Key").
     *
     * @param saltedPassword the salted password
     * @return the client key
     */
    public static byte[] clientKey(byte[] saltedPassword) {
        return hmac(saltedPassword, "Client Key");
    }

    /**
     * ServerKey = HMAC(SaltedPassword, "Server Key").
     *
     * @param saltedPassword the salted password
     * @return the server key
     */
    public static byte[] serverKey(byte[] saltedPassword) {
        return hmac(saltedPassword, "Server Key");
    }

    /**
     * The exclusive or of two arrays of equal length.
     *
     * @param a one array
     * @param b the other
     * @return a new array
     * @throws IllegalArgumentException when the lengths differ
     */
    public static byte[] xor(byte[] a, byte[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("lengths differ: " + a.length + " and " + b.length);
        }
        byte[] result = new byte[a.length];
        for (int i = 0; i < a.length; i++) {
            result[i] = (byte) (a[i] ^ b[i]);
        }
        return result;
    }
}
