package io.pgwarden.core.protocol.backend;

import io.netty.buffer.ByteBuf;
import io.pgwarden.core.protocol.PgBuffers;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/** AuthenticationMD5Password: the client must send an MD5 hash of its password with this 4-byte salt. */
public record AuthenticationMD5Password(byte[] salt) implements Authentication {

    public static final int SALT_LENGTH = 4;

    public AuthenticationMD5Password {
        Objects.requireNonNull(salt, "salt");
        if (salt.length != SALT_LENGTH) {
            throw new IllegalArgumentException("an MD5 salt has 4 bytes, not " + salt.length);
        }
    }

    static AuthenticationMD5Password decodeBody(ByteBuf payload) {
        byte[] salt = PgBuffers.readBytes(payload, SALT_LENGTH, AuthenticationFrames.NAME);
        PgBuffers.requireEnd(payload, AuthenticationFrames.NAME);
        return new AuthenticationMD5Password(salt);
    }

    @Override
    public int authenticationCode() {
        return MD5_PASSWORD;
    }

    @Override
    public void encode(ByteBuf out) {
        AuthenticationFrames.encodeData(out, MD5_PASSWORD, salt);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AuthenticationMD5Password other && Arrays.equals(salt, other.salt);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(salt);
    }

    @Override
    public String toString() {
        return "AuthenticationMD5Password[salt=" + HexFormat.of().formatHex(salt) + "]";
    }
}
