package io.pgwarden.core.protocol.frontend;

import io.netty.buffer.ByteBuf;
import io.pgwarden.core.protocol.MessageType;
import io.pgwarden.core.protocol.PgBuffers;
import java.util.Arrays;
import java.util.Objects;

/**
 * PasswordMessage ({@code 'p'}): a cleartext or MD5-hashed password, as bytes without the NUL
 * terminator. The array is not copied, so a caller may wipe it; it never appears in
 * {@link #toString()}.
 */
public record PasswordMessage(byte[] password) {

    private static final String NAME = "PasswordMessage";

    public PasswordMessage {
        Objects.requireNonNull(password, "password");
    }

    /** Decodes the body after the length. */
    public static PasswordMessage decode(ByteBuf payload) {
        byte[] password = PgBuffers.readCStringBytes(payload, NAME);
        PgBuffers.requireEnd(payload, NAME);
        return new PasswordMessage(password);
    }

    /** Writes the whole message; a password containing a NUL byte is refused. */
    public void encode(ByteBuf out) {
        int lengthIndex = PgBuffers.beginMessage(out, MessageType.PASSWORD_MESSAGE);
        PgBuffers.writeCString(out, password);
        PgBuffers.endMessage(out, lengthIndex);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PasswordMessage other && Arrays.equals(password, other.password);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(password);
    }

    @Override
    public String toString() {
        return "PasswordMessage[<redacted>]";
    }
}
