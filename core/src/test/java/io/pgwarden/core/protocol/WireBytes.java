package io.pgwarden.core.protocol;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Writes expected wire bytes by hand, field by field, as the protocol documentation lists them. */
public final class WireBytes {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    private WireBytes() {
    }

    public static WireBytes wire() {
        return new WireBytes();
    }

    /** Byte1 given as a character, e.g. a message type. */
    public WireBytes type(char type) {
        out.write(type);
        return this;
    }

    public WireBytes int8(int value) {
        out.write(value);
        return this;
    }

    public WireBytes int16(int value) {
        out.write(value >>> 8);
        out.write(value);
        return this;
    }

    public WireBytes int32(int value) {
        out.write(value >>> 24);
        out.write(value >>> 16);
        out.write(value >>> 8);
        out.write(value);
        return this;
    }

    /** String: UTF-8 bytes and a NUL. */
    public WireBytes string(String value) {
        out.writeBytes(value.getBytes(StandardCharsets.UTF_8));
        out.write(0);
        return this;
    }

    /** Byte<i>n</i>: raw bytes. */
    public WireBytes bytes(byte... value) {
        out.writeBytes(value);
        return this;
    }

    /** Byte<i>n</i>: raw bytes given as ints, e.g. {@code bytes(0xde, 0xad)}. */
    public WireBytes bytes(int... value) {
        for (int b : value) {
            out.write(b);
        }
        return this;
    }

    /** Raw UTF-8 bytes without a terminator. */
    public WireBytes text(String value) {
        return bytes(value.getBytes(StandardCharsets.UTF_8));
    }

    public byte[] toArray() {
        return out.toByteArray();
    }
}
