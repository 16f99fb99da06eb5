package io.pgwarden.core.protocol.backend;

import io.netty.buffer.ByteBuf;
import io.pgwarden.core.protocol.LengthPrefixedValues;
import io.pgwarden.core.protocol.MessageType;
import io.pgwarden.core.protocol.PgBuffers;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * DataRow ({@code 'D'}): one row's column values, {@code null} for SQL NULL. For rows the proxy
 * makes itself (admin console) and for tests; the relay never builds one per row. The arrays are
 * not copied.
 */
public record DataRow(List<byte[]> values) {

    private static final String NAME = "DataRow";

    public DataRow {
        values = LengthPrefixedValues.copyOf(values);
    }

    /** A row of text-format values, UTF-8 encoded; a {@code null} element is SQL NULL. */
    public static DataRow ofText(String... values) {
        List<byte[]> bytes = new ArrayList<>(values.length);
        for (String value : values) {
            bytes.add(value == null ? null : value.getBytes(StandardCharsets.UTF_8));
        }
        return new DataRow(bytes);
    }

    /** Decodes the body after the length. */
    public static DataRow decode(ByteBuf payload) {
        int count = PgBuffers.readCount16(payload, 4, NAME);
        List<byte[]> values = LengthPrefixedValues.read(payload, count, NAME);
        PgBuffers.requireEnd(payload, NAME);
        return new DataRow(values);
    }

    /** Writes the whole message. */
    public void encode(ByteBuf out) {
        int lengthIndex = PgBuffers.beginMessage(out, MessageType.DATA_ROW);
        PgBuffers.writeCount16(out, values.size());
        LengthPrefixedValues.write(out, values);
        PgBuffers.endMessage(out, lengthIndex);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DataRow other && LengthPrefixedValues.equal(values, other.values);
    }

    @Override
    public int hashCode() {
        return LengthPrefixedValues.hash(values);
    }

    @Override
    public String toString() {
        return "DataRow[" + values.size() + " values]";
    }
}
