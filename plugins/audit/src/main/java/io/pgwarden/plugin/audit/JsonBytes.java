package io.pgwarden.plugin.audit;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The UTF-8 bytes of one rendered event: the buffer {@link EventJson} writes into and reuses for every event, so that
 * rendering makes no String of the event and the file sink hashes and writes these bytes as they are. It escapes JSON
 * strings as it encodes them: {@code "}, {@code \}, newline, carriage return and tab by name, the other control
 * characters and U+2028, U+2029 as {@code \}{@code u00XX}; a lone surrogate becomes {@code ?}, as
 * {@link String#getBytes} makes it. Not thread-safe.
 */
final class JsonBytes {

    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    /** The most bytes one character of a JSON string takes: an escape such as {@code \}{@code u2028}. */
    private static final int MAX_CHAR_BYTES = 6;

    private byte[] bytes = new byte[1024];
    private int length;

    /** Empties the buffer. */
    void clear() {
        length = 0;
    }

    /**
     * How many bytes are written.
     *
     * @return the length
     */
    int length() {
        return length;
    }

    /**
     * The buffer itself, valid up to {@link #length()} until the next write.
     *
     * @return the bytes
     */
    byte[] array() {
        return bytes;
    }

    /**
     * Drops what was written after {@code newLength}.
     *
     * @param newLength a length at most the current one
     */
    void truncate(int newLength) {
        if (newLength < 0 || newLength > length) {
            throw new IllegalArgumentException("cannot truncate " + length + " bytes to " + newLength);
        }
        length = newLength;
    }

    /**
     * A copy of what was written from {@code start} on, for a renderer's cache.
     *
     * @param start a length reached earlier
     * @return the bytes
     */
    byte[] copyFrom(int start) {
        return Arrays.copyOfRange(bytes, start, length);
    }

    /**
     * Appends bytes rendered earlier.
     *
     * @param piece the bytes
     */
    void append(byte[] piece) {
        ensure(piece.length);
        System.arraycopy(piece, 0, bytes, length, piece.length);
        length += piece.length;
    }

    /**
     * Appends one ASCII character.
     *
     * @param c the character, below 0x80
     */
    void ascii(char c) {
        ensure(1);
        bytes[length++] = (byte) c;
    }

    /**
     * Appends text known to be ASCII and to need no escape: a field name, JSON punctuation.
     *
     * @param text the text
     */
    void ascii(String text) {
        int count = text.length();
        ensure(count);
        for (int i = 0; i < count; i++) {
            bytes[length + i] = (byte) text.charAt(i);
        }
        length += count;
    }

    /**
     * Appends a number.
     *
     * @param value the number
     */
    void number(long value) {
        if (value < 0) {
            ascii(Long.toString(value));
            return;
        }
        int digits = 1;
        for (long rest = value / 10; rest > 0; rest /= 10) {
            digits++;
        }
        ensure(digits);
        long rest = value;
        for (int i = length + digits - 1; i >= length; i--) {
            bytes[i] = (byte) ('0' + rest % 10);
            rest /= 10;
        }
        length += digits;
    }

    /**
     * Appends a JSON string: the quotes and the value, escaped and in UTF-8.
     *
     * @param value the value
     */
    void quoted(String value) {
        int count = value.length();
        ensure(count + 1L + MAX_CHAR_BYTES);
        byte[] out = bytes;
        int at = length;
        out[at++] = '"';
        // Invariant: room for a byte for each character left and the closing quote. A plain ASCII character keeps it
        // by itself; before a wider one the room is checked for it at its widest, so the buffer grows with what is
        // written, not by six times the text at once.
        for (int i = 0; i < count; i++) {
            char c = value.charAt(i);
            if (c < 0x80 && c >= 0x20 && c != '"' && c != '\\') {
                out[at++] = (byte) c;
                continue;
            }
            if (out.length - at < count - i + MAX_CHAR_BYTES) {
                length = at;
                ensure(count - i + (long) MAX_CHAR_BYTES);
                out = bytes;
            }
            if (c < 0x80) {
                at = escape(out, at, c);
            } else if (c < 0x800) {
                out[at++] = (byte) (0xc0 | c >> 6);
                out[at++] = (byte) (0x80 | c & 0x3f);
            } else if (Character.isSurrogate(c)) {
                if (Character.isHighSurrogate(c) && i + 1 < count && Character.isLowSurrogate(value.charAt(i + 1))) {
                    int code = Character.toCodePoint(c, value.charAt(++i));
                    out[at++] = (byte) (0xf0 | code >> 18);
                    out[at++] = (byte) (0x80 | code >> 12 & 0x3f);
                    out[at++] = (byte) (0x80 | code >> 6 & 0x3f);
                    out[at++] = (byte) (0x80 | code & 0x3f);
                } else {
                    out[at++] = '?';
                }
            } else if (c == '\u2028' || c == '\u2029') {
                at = escape(out, at, c);
            } else {
                out[at++] = (byte) (0xe0 | c >> 12);
                out[at++] = (byte) (0x80 | c >> 6 & 0x3f);
                out[at++] = (byte) (0x80 | c & 0x3f);
            }
        }
        out[at++] = '"';
        length = at;
    }

    /** Writes the escape of {@code c} at {@code at} and returns where it ends. */
    private static int escape(byte[] out, int at, char c) {
        out[at++] = '\\';
        switch (c) {
            case '"' -> out[at++] = '"';
            case '\\' -> out[at++] = '\\';
            case '\n' -> out[at++] = 'n';
            case '\r' -> out[at++] = 'r';
            case '\t' -> out[at++] = 't';
            default -> {
                out[at++] = 'u';
                out[at++] = HEX[c >> 12];
                out[at++] = HEX[c >> 8 & 0xf];
                out[at++] = HEX[c >> 4 & 0xf];
                out[at++] = HEX[c & 0xf];
            }
        }
        return at;
    }

    private void ensure(long more) {
        long needed = length + more;
        if (needed > bytes.length) {
            if (needed > Integer.MAX_VALUE - 8) {
                throw new IllegalStateException("an audit event of more than 2 GiB");
            }
            bytes = Arrays.copyOf(bytes, (int) Math.min(Integer.MAX_VALUE - 8, Math.max(needed, 2L * bytes.length)));
        }
    }

    /**
     * The bytes as text, for logs and tests.
     *
     * @return the text
     */
    @Override
    public String toString() {
        return new String(bytes, 0, length, StandardCharsets.UTF_8);
    }
}
