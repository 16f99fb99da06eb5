package io.pgwarden.testkit;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One backend message as read off the wire by {@link RawPgClient}: the type byte and the body after the
 * length field. Field helpers decode ErrorResponse ({@code E}) and NoticeResponse ({@code N}) bodies.
 *
 * @param type the message type byte as a char, e.g. {@code 'R'}, {@code 'E'}, {@code 'Z'}
 * @param body the bytes after the four-byte length
 */
public record RawMessage(char type, byte[] body) {

    /** Checks for null. */
    public RawMessage {
        Objects.requireNonNull(body, "body");
    }

    /** The fields of an ErrorResponse or NoticeResponse by field code, in wire order. */
    public Map<Character, String> fields() {
        if (type != 'E' && type != 'N') {
            throw new IllegalStateException("not an ErrorResponse or NoticeResponse: " + describe());
        }
        Map<Character, String> fields = new LinkedHashMap<>();
        int position = 0;
        while (position < body.length && body[position] != 0) {
            char code = (char) body[position++];
            int end = position;
            while (end < body.length && body[end] != 0) {
                end++;
            }
            if (end == body.length) {
                throw new IllegalStateException("field " + code + " has no terminator in " + describe());
            }
            fields.put(code, new String(body, position, end - position, StandardCharsets.UTF_8));
            position = end + 1;
        }
        return fields;
    }

    /** One field of an ErrorResponse/NoticeResponse ({@code 'C'} SQLSTATE, {@code 'M'} message, ...), or null. */
    public String errorField(char code) {
        return fields().get(code);
    }

    /** The SQLSTATE of an ErrorResponse. */
    public String sqlState() {
        return errorField('C');
    }

    /** The primary message of an ErrorResponse. */
    public String message() {
        return errorField('M');
    }

    /** The non-localized severity ({@code V}), falling back to the localized one ({@code S}). */
    public String severity() {
        String severity = errorField('V');
        return severity != null ? severity : errorField('S');
    }

    /** The first Int32 of the body: the request code of an Authentication ({@code R}) message. */
    public int int32At(int offset) {
        return ByteBuffer.wrap(body, offset, 4).getInt();
    }

    /** The transaction status of a ReadyForQuery ({@code Z}): {@code I}, {@code T} or {@code E}. */
    public char transactionStatus() {
        if (type != 'Z' || body.length != 1) {
            throw new IllegalStateException("not a ReadyForQuery: " + describe());
        }
        return (char) body[0];
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof RawMessage that && type == that.type && java.util.Arrays.equals(body, that.body);
    }

    @Override
    public int hashCode() {
        return 31 * type + java.util.Arrays.hashCode(body);
    }

    @Override
    public String toString() {
        if (type == 'E' || type == 'N') {
            try {
                return type + fields().toString();
            } catch (IllegalStateException malformed) {
                return describe() + " malformed";
            }
        }
        return describe();
    }

    private String describe() {
        return type + "(" + body.length + " bytes)";
    }
}
