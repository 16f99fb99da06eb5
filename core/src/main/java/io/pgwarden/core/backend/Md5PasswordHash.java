package io.pgwarden.core.backend;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;

/** The answer to AuthenticationMD5Password: {@code "md5" + md5hex(md5hex(password + user) + salt)}. */
final class Md5PasswordHash {

    private Md5PasswordHash() {
    }

    static String answer(String user, String password, byte[] salt) {
        if (salt.length != 4) {
            throw new IllegalArgumentException("md5 salt must be 4 bytes, got " + salt.length);
        }
        String inner = md5Hex(concat(password.getBytes(StandardCharsets.UTF_8), user.getBytes(StandardCharsets.UTF_8)));
        return "md5" + md5Hex(concat(inner.getBytes(StandardCharsets.US_ASCII), salt));
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
