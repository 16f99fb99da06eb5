package io.pgwarden.scram;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Objects;

/**
 * PostgreSQL's md5 password scheme: the stored hash is {@code "md5" + md5hex(password + user)}, and
 * the answer to AuthenticationMD5Password is {@code "md5" + md5hex(md5hex(password + user) + salt)}.
 * Whoever holds the stored hash can answer, which is why md5 is deprecated.
 */
public final class Md5Password {

    /** The length of a stored hash: {@code md5} and 32 hex digits. */
    public static final int HASH_LENGTH = 35;

    private Md5Password() {
    }

    /**
     * The stored hash, as {@code pg_authid.rolpassword} holds it.
     *
     * @param user the user name
     * @param password the password
     * @return {@code md5} followed by 32 lower-case hex digits
     */
    public static String hash(String user, String password) {
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(password, "password");
        return "md5" + md5Hex(concat(password.getBytes(StandardCharsets.UTF_8), user.getBytes(StandardCharsets.UTF_8)));
    }

    /**
     * The answer to AuthenticationMD5Password from the password.
     *
     * @param user the user name
     * @param password the password
     * @param salt the server's four salt bytes
     * @return the answer
     */
    public static String answer(String user, String password, byte[] salt) {
        return answerFromHash(hash(user, password), salt);
    }

    /**
     * The answer to AuthenticationMD5Password from the stored hash.
     *
     * @param storedHash the stored hash, see {@link #isHash}
     * @param salt the server's four salt bytes
     * @return the answer
     * @throws IllegalArgumentException when the salt is not four bytes or the hash is malformed
     */
    public static String answerFromHash(String storedHash, byte[] salt) {
        if (salt.length != 4) {
            throw new IllegalArgumentException("md5 salt must be 4 bytes, got " + salt.length);
        }
        if (!isHash(storedHash)) {
            throw new IllegalArgumentException("not an md5 password hash");
        }
        return "md5" + md5Hex(concat(storedHash.substring(3).getBytes(StandardCharsets.US_ASCII), salt));
    }

    /**
     * Tells whether text is a stored md5 hash: {@code md5} and 32 lower-case hex digits.
     *
     * @param text the text
     * @return true for a hash
     */
    public static boolean isHash(String text) {
        if (text == null || text.length() != HASH_LENGTH || !text.startsWith("md5")) {
            return false;
        }
        // Lower-case ASCII hex only, as PostgreSQL's get_password_type: an answer is computed from the
        // hash's text, so "md5ABC..." or non-ASCII digits (which Character.digit accepts) would give a
        // wrong answer.
        for (int i = 3; i < HASH_LENGTH; i++) {
            char c = text.charAt(i);
            if (!(c >= '0' && c <= '9') && !(c >= 'a' && c <= 'f')) {
                return false;
            }
        }
        return true;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] result = new byte[a.length + b.length];
        System.arraycopy(a, 0, result, 0, a.length);
        System.arraycopy(b, 0, result, a.length, b.length);
        return result;
    }

    private static String md5Hex(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(data));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("MD5 is not available", e);
        }
    }
}
