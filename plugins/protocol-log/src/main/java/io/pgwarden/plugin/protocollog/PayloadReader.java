package io.pgwarden.plugin.protocollog;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Reads protocol fields from a message body without moving the caller's buffer. Every read checks
 * the bounds and throws {@link MalformedMessageException} on a short or unterminated field, since
 * the bytes come from a stranger.
 */
final class PayloadReader {

    private final ByteBuffer buffer;
    private int position;

    PayloadReader(ByteBuffer payload) {
        this.buffer = payload.duplicate();
        this.position = buffer.position();
    }

    int remaining() {
        return buffer.limit() - position;
    }

    byte readByte() {
        need(1);
        return buffer.get(position++);
    }

    short readShort() {
        need(2);
        short value = buffer.getShort(position);
        position += 2;
        return value;
    }

    int readInt() {
        need(4);
        int value = buffer.getInt(position);
        position += 4;
        return value;
    }

    void skip(int count) {
        if (count < 0) {
            throw new MalformedMessageException("negative length " + count);
        }
        need(count);
        position += count;
    }

    /** A NUL-terminated UTF-8 string. */
    String readCString() {
        for (int i = position; i < buffer.limit(); i++) {
            if (buffer.get(i) == 0) {
                byte[] bytes = new byte[i - position];
                buffer.get(position, bytes);
                position = i + 1;
                return new String(bytes, StandardCharsets.UTF_8);
            }
        }
        throw new MalformedMessageException("string without terminator");
    }

    private void need(int count) {
        if (remaining() < count) {
            throw new MalformedMessageException("message ends early");
        }
    }

    /** The message does not have the layout its type promises. */
    static final class MalformedMessageException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        MalformedMessageException(String message) {
            super(message, null, false, false);
        }
    }
}
