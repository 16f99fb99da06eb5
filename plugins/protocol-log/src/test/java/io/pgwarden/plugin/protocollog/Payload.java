package io.pgwarden.plugin.protocollog;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** Builds message bodies byte by byte, as the protocol lays them out. */
final class Payload {

    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

    static Payload body() {
        return new Payload();
    }

    Payload int8(int value) {
        bytes.write(value);
        return this;
    }

    Payload int16(int value) {
        bytes.write(value >>> 8);
        bytes.write(value);
        return this;
    }

    Payload int32(int value) {
        int16(value >>> 16);
        return int16(value);
    }

    Payload cstring(String text) {
        bytes.writeBytes(text.getBytes(StandardCharsets.UTF_8));
        bytes.write(0);
        return this;
    }

    Payload raw(byte... raw) {
        bytes.writeBytes(raw);
        return this;
    }

    /** The body as the core hands it over: read-only, positioned at its start. */
    ByteBuffer buffer() {
        return ByteBuffer.wrap(bytes.toByteArray()).asReadOnlyBuffer();
    }
}
