package io.pgwarden.core.protocol;

import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * The protocol's value list (DataRow columns, Bind parameters, FunctionCall arguments): per value
 * an Int32 length, {@code -1} for NULL, then that many bytes. A NULL value is a {@code null}
 * element.
 */
public final class LengthPrefixedValues {

    /** The length that marks a NULL value. */
    public static final int NULL_LENGTH = -1;

    private LengthPrefixedValues() {
    }

    /** Reads {@code count} values; the count must already be checked against the readable bytes. */
    public static List<byte[]> read(ByteBuf buf, int count, String messageName) {
        List<byte[]> values = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            values.add(readValue(buf, messageName));
        }
        return Collections.unmodifiableList(values);
    }

    /** Reads one value: {@code null} for length -1; any other negative length is malformed. */
    public static byte[] readValue(ByteBuf buf, String messageName) {
        int length = PgBuffers.readInt32(buf, messageName);
        if (length == NULL_LENGTH) {
            return null;
        }
        return PgBuffers.readBytes(buf, length, messageName);
    }

    /** Writes the values without a count. */
    public static void write(ByteBuf out, List<byte[]> values) {
        for (byte[] value : values) {
            writeValue(out, value);
        }
    }

    /** Writes one value, {@code null} as NULL. */
    public static void writeValue(ByteBuf out, byte[] value) {
        if (value == null) {
            out.writeInt(NULL_LENGTH);
        } else {
            out.writeInt(value.length);
            out.writeBytes(value);
        }
    }

    /** An unmodifiable copy of the list that, unlike {@code List.copyOf}, keeps NULL elements. */
    public static List<byte[]> copyOf(List<byte[]> values) {
        Objects.requireNonNull(values, "values");
        return Collections.unmodifiableList(new ArrayList<>(values));
    }

    /** Element-wise content equality. */
    public static boolean equal(List<byte[]> a, List<byte[]> b) {
        if (a.size() != b.size()) {
            return false;
        }
        for (int i = 0; i < a.size(); i++) {
            if (!Arrays.equals(a.get(i), b.get(i))) {
                return false;
            }
        }
        return true;
    }

    /** A hash consistent with {@link #equal}. */
    public static int hash(List<byte[]> values) {
        int hash = 1;
        for (byte[] value : values) {
            hash = 31 * hash + Arrays.hashCode(value);
        }
        return hash;
    }
}
