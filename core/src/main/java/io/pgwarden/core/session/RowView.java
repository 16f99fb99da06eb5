package io.pgwarden.core.session;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.pgwarden.core.protocol.MessageType;
import io.pgwarden.core.protocol.ProtocolException;
import io.pgwarden.spi.ResultSetContext;
import io.pgwarden.spi.RowContext;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * A DataRow as a row interceptor sees it. The column offsets are found once; values are slices
 * of the received frame and are decoded only when asked for. Only a changed row is re-encoded.
 */
final class RowView implements RowContext {

    private static final byte[] NULL = new byte[0];

    private final ResultSetContext resultSet;
    private final ByteBuf frame;
    private final int[] offsets;
    private final int[] lengths;
    private byte[][] replaced;

    RowView(ResultSetContext resultSet, ByteBuf frame) {
        this.resultSet = resultSet;
        this.frame = frame;
        int index = frame.readerIndex() + 5;
        int end = frame.writerIndex();
        if (end - index < 2) {
            throw new ProtocolException("DataRow is too short");
        }
        int count = frame.getUnsignedShort(index);
        index += 2;
        offsets = new int[count];
        lengths = new int[count];
        for (int i = 0; i < count; i++) {
            if (end - index < 4) {
                throw new ProtocolException("DataRow is truncated at column " + i);
            }
            int length = frame.getInt(index);
            index += 4;
            if (length < -1 || length > end - index) {
                throw new ProtocolException("DataRow column " + i + " has an invalid length " + length);
            }
            offsets[i] = index;
            lengths[i] = length;
            index += Math.max(length, 0);
        }
        if (index != end) {
            throw new ProtocolException("DataRow has " + (end - index) + " bytes after its last column");
        }
    }

    @Override
    public ResultSetContext resultSet() {
        return resultSet;
    }

    @Override
    public int columnCount() {
        return offsets.length;
    }

    @Override
    public boolean isNull(int column) {
        if (replaced != null && replaced[column] != null) {
            return replaced[column] == NULL;
        }
        return lengths[column] < 0;
    }

    @Override
    public ByteBuffer value(int column) {
        if (replaced != null && replaced[column] != null) {
            return replaced[column] == NULL ? null : ByteBuffer.wrap(replaced[column]).asReadOnlyBuffer();
        }
        if (lengths[column] < 0) {
            return null;
        }
        return frame.nioBuffer(offsets[column], lengths[column]).asReadOnlyBuffer();
    }

    @Override
    public String text(int column) {
        if (replaced != null && replaced[column] != null) {
            return replaced[column] == NULL ? null : new String(replaced[column], StandardCharsets.UTF_8);
        }
        if (lengths[column] < 0) {
            return null;
        }
        return frame.toString(offsets[column], lengths[column], StandardCharsets.UTF_8);
    }

    @Override
    public void set(int column, byte[] value) {
        java.util.Objects.checkIndex(column, offsets.length);
        if (replaced == null) {
            replaced = new byte[offsets.length][];
        }
        replaced[column] = value == null ? NULL : value.clone();
    }

    @Override
    public void setText(int column, String value) {
        set(column, value == null ? null : value.getBytes(StandardCharsets.UTF_8));
    }

    boolean changed() {
        return replaced != null;
    }

    /** The row with the replaced values, as a new DataRow frame. */
    ByteBuf encode(ByteBufAllocator alloc) {
        int bodyLength = 4 + 2;
        for (int i = 0; i < offsets.length; i++) {
            bodyLength += 4 + Math.max(valueLength(i), 0);
        }
        ByteBuf out = alloc.buffer(bodyLength + 1);
        out.writeByte(MessageType.DATA_ROW).writeInt(bodyLength).writeShort(offsets.length);
        for (int i = 0; i < offsets.length; i++) {
            int length = valueLength(i);
            out.writeInt(length);
            if (replaced != null && replaced[i] != null) {
                if (replaced[i] != NULL) {
                    out.writeBytes(replaced[i]);
                }
            } else if (length > 0) {
                out.writeBytes(frame, offsets[i], length);
            }
        }
        return out;
    }

    private int valueLength(int column) {
        if (replaced != null && replaced[column] != null) {
            return replaced[column] == NULL ? -1 : replaced[column].length;
        }
        return lengths[column];
    }
}
