package io.pgwarden.core.session;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.pgwarden.core.protocol.LengthPrefixedValues;
import io.pgwarden.core.protocol.PgBuffers;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * A Bind as the proxy follows it for onExecute and onComplete: its portal and statement names, and its parameters'
 * format codes and values copied out of the network buffer in one array. Nothing else is decoded until a plugin asks:
 * {@link #decode()} gives text-format values as UTF-8 text, binary-format values as {@code \x} and lowercase hex, SQL
 * NULL as null. Reading checks the whole message as {@link io.pgwarden.core.protocol.frontend.Bind#decode} does; the
 * result formats are checked and not kept.
 */
final class BindParameters {

    private static final String NAME = "Bind";
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private final String portal;
    private final String statement;
    /** From the Int16 count of format codes through the last value's bytes. */
    private final byte[] bytes;
    private final int formatCount;
    /** Where each value's Int32 length is in {@link #bytes}. */
    private final int[] valueAt;

    private BindParameters(String portal, String statement, byte[] bytes, int formatCount, int[] valueAt) {
        this.portal = portal;
        this.statement = statement;
        this.bytes = bytes;
        this.formatCount = formatCount;
        this.valueAt = valueAt;
    }

    /**
     * Reads a Bind's body (after its length), to the end.
     *
     * @param payload the body
     * @return the Bind's names and parameters
     * @throws io.pgwarden.core.protocol.ProtocolException when the message is malformed
     */
    static BindParameters read(ByteBuf payload) {
        String portal = PgBuffers.readCString(payload, NAME);
        String statement = PgBuffers.readCString(payload, NAME);
        int start = payload.readerIndex();
        int formatCount = PgBuffers.readCount16(payload, 2, NAME);
        payload.skipBytes(2 * formatCount);
        int count = PgBuffers.readCount16(payload, 4, NAME);
        int[] valueAt = new int[count];
        for (int i = 0; i < count; i++) {
            valueAt[i] = payload.readerIndex() - start;
            int length = PgBuffers.readInt32(payload, NAME);
            if (length != LengthPrefixedValues.NULL_LENGTH) {
                PgBuffers.skipBytes(payload, length, NAME);
            }
        }
        int end = payload.readerIndex();
        payload.skipBytes(2 * PgBuffers.readCount16(payload, 2, NAME));
        PgBuffers.requireEnd(payload, NAME);
        return new BindParameters(portal, statement, ByteBufUtil.getBytes(payload, start, end - start), formatCount, valueAt);
    }

    /** The portal's name, empty for the unnamed portal. */
    String portal() {
        return portal;
    }

    /** The prepared statement's name, empty for the unnamed statement. */
    String statement() {
        return statement;
    }

    /** How many values the Bind carries. */
    int count() {
        return valueAt.length;
    }

    /**
     * Whether a value is SQL NULL.
     *
     * @param index the value's position, from 0
     * @return true for NULL
     * @throws IndexOutOfBoundsException when there is no such value
     */
    boolean isNull(int index) {
        return length(Objects.checkIndex(index, valueAt.length)) == LengthPrefixedValues.NULL_LENGTH;
    }

    /**
     * Decodes every value.
     *
     * @return the values in order; read-only, with nulls for SQL NULL
     */
    List<String> decode() {
        List<String> decoded = new ArrayList<>(valueAt.length);
        for (int i = 0; i < valueAt.length; i++) {
            int length = length(i);
            int from = valueAt[i] + 4;
            decoded.add(length == LengthPrefixedValues.NULL_LENGTH ? null
                    : binary(i) ? hex(from, length) : new String(bytes, from, length, StandardCharsets.UTF_8));
        }
        return Collections.unmodifiableList(decoded);
    }

    private int length(int index) {
        int at = valueAt[index];
        return (bytes[at] & 0xff) << 24 | (bytes[at + 1] & 0xff) << 16 | (bytes[at + 2] & 0xff) << 8 | bytes[at + 3] & 0xff;
    }

    /** Bind's format codes: none means all text, one applies to all, else one per parameter. */
    private boolean binary(int index) {
        if (formatCount == 0) {
            return false;
        }
        int code = formatCount == 1 ? 0 : index < formatCount ? index : -1;
        return code >= 0 && bytes[2 + 2 * code] == 0 && bytes[3 + 2 * code] == 1;
    }

    private String hex(int from, int length) {
        char[] text = new char[2 + 2 * length];
        text[0] = '\\';
        text[1] = 'x';
        for (int i = 0; i < length; i++) {
            byte value = bytes[from + i];
            text[2 + 2 * i] = HEX[(value >> 4) & 0xF];
            text[3 + 2 * i] = HEX[value & 0xF];
        }
        return new String(text);
    }
}
