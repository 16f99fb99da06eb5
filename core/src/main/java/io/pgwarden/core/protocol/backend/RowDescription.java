package io.pgwarden.core.protocol.backend;

import io.netty.buffer.ByteBuf;
import io.pgwarden.core.protocol.MessageType;
import io.pgwarden.core.protocol.PgBuffers;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** RowDescription ({@code 'T'}): the columns of the rows that follow. */
public record RowDescription(List<Field> fields) {

    private static final String NAME = "RowDescription";
    /** An empty name's terminator plus the six fixed-size attributes. */
    private static final int MIN_FIELD_SIZE = 1 + 4 + 2 + 4 + 2 + 4 + 2;

    public RowDescription {
        fields = List.copyOf(Objects.requireNonNull(fields, "fields"));
    }

    /**
     * One column.
     *
     * @param name the column name
     * @param tableOid the table's OID if the column is a table column, else 0
     * @param columnNumber the column's attribute number in that table, else 0
     * @param typeOid the OID of the data type
     * @param typeSize {@code pg_type.typlen}; negative for variable-width types
     * @param typeModifier {@code pg_attribute.atttypmod}
     * @param formatCode 0 text, 1 binary
     */
    public record Field(String name, int tableOid, short columnNumber, int typeOid, short typeSize,
            int typeModifier, short formatCode) {

        public Field {
            Objects.requireNonNull(name, "name");
        }

        /** A text-format column of no table, as an admin console would describe it. */
        public static Field text(String name, int typeOid, short typeSize) {
            return new Field(name, 0, (short) 0, typeOid, typeSize, -1, (short) 0);
        }
    }

    /** Decodes the body after the length. */
    public static RowDescription decode(ByteBuf payload) {
        int count = PgBuffers.readCount16(payload, MIN_FIELD_SIZE, NAME);
        List<Field> fields = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            fields.add(new Field(
                    PgBuffers.readCString(payload, NAME),
                    PgBuffers.readInt32(payload, NAME),
                    PgBuffers.readInt16(payload, NAME),
                    PgBuffers.readInt32(payload, NAME),
                    PgBuffers.readInt16(payload, NAME),
                    PgBuffers.readInt32(payload, NAME),
                    PgBuffers.readInt16(payload, NAME)));
        }
        PgBuffers.requireEnd(payload, NAME);
        return new RowDescription(fields);
    }

    /** Writes the whole message. */
    public void encode(ByteBuf out) {
        int lengthIndex = PgBuffers.beginMessage(out, MessageType.ROW_DESCRIPTION);
        PgBuffers.writeCount16(out, fields.size());
        for (Field field : fields) {
            PgBuffers.writeCString(out, field.name());
            out.writeInt(field.tableOid());
            out.writeShort(field.columnNumber());
            out.writeInt(field.typeOid());
            out.writeShort(field.typeSize());
            out.writeInt(field.typeModifier());
            out.writeShort(field.formatCode());
        }
        PgBuffers.endMessage(out, lengthIndex);
    }
}
