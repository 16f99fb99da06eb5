package io.pgwarden.core.protocol;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads and writes the protocol's data types (Int8/16/32, String, Byte<i>n</i>) on a
 * {@link ByteBuf}.
 *
 * <p>Every read checks the bytes that remain first and throws {@link ProtocolException} naming the
 * message, so a decoder never meets an {@link IndexOutOfBoundsException} and never allocates an
 * array from a count it has not checked against the bytes that are actually there.
 */
public final class PgBuffers {

    private static final String UNNAMED = "protocol";

    private PgBuffers() {
    }

    /** Reads a NUL-terminated UTF-8 string and its terminator. */
    public static String readCString(ByteBuf buf) {
        return readCString(buf, UNNAMED);
    }

    /** Reads a NUL-terminated UTF-8 string; a missing terminator is an error in {@code messageName}. */
    public static String readCString(ByteBuf buf, String messageName) {
        int length = buf.bytesBefore((byte) 0);
        if (length < 0) {
            throw ProtocolException.malformed(messageName, "string without terminator");
        }
        if (length == 0) {
            // The unnamed statement and portal: most names a driver sends.
            buf.skipBytes(1);
            return "";
        }
        String value = buf.toString(buf.readerIndex(), length, StandardCharsets.UTF_8);
        buf.skipBytes(length + 1);
        return value;
    }

    /** Reads a NUL-terminated string as raw bytes, without the terminator. */
    public static byte[] readCStringBytes(ByteBuf buf, String messageName) {
        int length = buf.bytesBefore((byte) 0);
        if (length < 0) {
            throw ProtocolException.malformed(messageName, "string without terminator");
        }
        byte[] value = new byte[length];
        buf.readBytes(value);
        buf.skipBytes(1);
        return value;
    }

    /**
     * Writes {@code value} as UTF-8 and a NUL terminator.
     *
     * @throws IllegalArgumentException if the value contains NUL, which would end the string early
     *     and shift every later field of the message
     */
    public static void writeCString(ByteBuf buf, String value) {
        if (value.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("a protocol string cannot contain a NUL character");
        }
        buf.writeCharSequence(value, StandardCharsets.UTF_8);
        buf.writeByte(0);
    }

    /** Writes raw bytes and a NUL terminator; the bytes must not contain NUL. */
    public static void writeCString(ByteBuf buf, byte[] value) {
        for (byte b : value) {
            if (b == 0) {
                throw new IllegalArgumentException("a protocol string cannot contain a NUL byte");
            }
        }
        buf.writeBytes(value);
        buf.writeByte(0);
    }

    /** Reads an Int8 (unsigned, 0..255). */
    public static int readByte(ByteBuf buf, String messageName) {
        require(buf, 1, messageName);
        return buf.readUnsignedByte();
    }

    /** Reads a signed Int16. */
    public static short readInt16(ByteBuf buf, String messageName) {
        require(buf, 2, messageName);
        return buf.readShort();
    }

    /** Reads a signed Int32. */
    public static int readInt32(ByteBuf buf, String messageName) {
        require(buf, 4, messageName);
        return buf.readInt();
    }

    /**
     * Reads an Int16 element count and checks it against the bytes that remain, given that each
     * element takes at least {@code minElementSize} bytes. The count is unsigned (0 to 65535), as
     * PostgreSQL reads it ({@code pq_getmsgint(msg, 2)}) and drivers send it: pgjdbc binds up to
     * 65535 parameters.
     */
    public static int readCount16(ByteBuf buf, int minElementSize, String messageName) {
        require(buf, 2, messageName);
        return checkCount(buf.readUnsignedShort(), buf, minElementSize, messageName);
    }

    /** Writes an Int16 element count, which must be 0 to 65535. */
    public static void writeCount16(ByteBuf out, int count) {
        if (count < 0 || count > 0xffff) {
            throw new IllegalArgumentException("an Int16 count must be 0 to 65535: " + count);
        }
        out.writeShort(count);
    }

    /** Like {@link #readCount16} for an Int32 count. */
    public static int readCount32(ByteBuf buf, int minElementSize, String messageName) {
        return checkCount(readInt32(buf, messageName), buf, minElementSize, messageName);
    }

    /** Reads an Int16 count and that many Int16 values (format codes). */
    public static List<Short> readInt16List(ByteBuf buf, String messageName) {
        int count = readCount16(buf, 2, messageName);
        List<Short> values = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            values.add(buf.readShort());
        }
        return List.copyOf(values);
    }

    /** Reads an Int16 count and that many Int32 values (type OIDs). */
    public static List<Integer> readInt32List(ByteBuf buf, String messageName) {
        int count = readCount16(buf, 4, messageName);
        List<Integer> values = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            values.add(buf.readInt());
        }
        return List.copyOf(values);
    }

    /** Writes an Int16 count and the Int16 values. */
    public static void writeInt16List(ByteBuf out, List<Short> values) {
        writeCount16(out, values.size());
        for (short value : values) {
            out.writeShort(value);
        }
    }

    /** Writes an Int16 count and the Int32 values. */
    public static void writeInt32List(ByteBuf out, List<Integer> values) {
        writeCount16(out, values.size());
        for (int value : values) {
            out.writeInt(value);
        }
    }

    /** Reads exactly {@code length} bytes, checking the length before allocating. */
    public static byte[] readBytes(ByteBuf buf, int length, String messageName) {
        requireLength(buf, length, messageName);
        byte[] value = new byte[length];
        buf.readBytes(value);
        return value;
    }

    /** Skips exactly {@code length} bytes, checking that the length is not negative and that they are there. */
    public static void skipBytes(ByteBuf buf, int length, String messageName) {
        requireLength(buf, length, messageName);
        buf.skipBytes(length);
    }

    /** Reads all readable bytes. */
    public static byte[] readRemaining(ByteBuf buf) {
        byte[] value = new byte[buf.readableBytes()];
        buf.readBytes(value);
        return value;
    }

    /** Checks that the body has been read to its end: trailing bytes mean a malformed message. */
    public static void requireEnd(ByteBuf buf, String messageName) {
        if (buf.isReadable()) {
            throw ProtocolException.malformed(messageName,
                    buf.readableBytes() + " unexpected bytes after the end of the message");
        }
    }

    /**
     * Starts a typed message: writes the type byte and a length placeholder.
     *
     * @return the index of the length field, for {@link #endMessage}
     */
    public static int beginMessage(ByteBuf out, byte type) {
        out.writeByte(type);
        return beginPacket(out);
    }

    /**
     * Starts an untyped startup packet: writes a length placeholder.
     *
     * @return the index of the length field, for {@link #endMessage}
     */
    public static int beginPacket(ByteBuf out) {
        int lengthIndex = out.writerIndex();
        out.writeInt(0);
        return lengthIndex;
    }

    /**
     * The body of a whole typed message, after its type byte and length, as a slice of the frame
     * (no copy; the frame's reader index does not move).
     *
     * @param frame one whole message, type byte first
     * @return the body
     */
    public static ByteBuf payload(ByteBuf frame) {
        return frame.slice(frame.readerIndex() + 5, frame.readableBytes() - 5);
    }

    /** Patches the length field at {@code lengthIndex}: the bytes written since, itself included. */
    public static void endMessage(ByteBuf out, int lengthIndex) {
        out.setInt(lengthIndex, out.writerIndex() - lengthIndex);
    }

    private static int checkCount(int count, ByteBuf buf, int minElementSize, String messageName) {
        if (count < 0) {
            throw ProtocolException.malformed(messageName, "negative count " + count);
        }
        if ((long) count * minElementSize > buf.readableBytes()) {
            throw ProtocolException.malformed(messageName,
                    "count " + count + " exceeds the " + buf.readableBytes() + " remaining bytes");
        }
        return count;
    }

    /** A value's length from the message: not negative, and that many bytes remain. */
    private static void requireLength(ByteBuf buf, int length, String messageName) {
        if (length < 0) {
            throw ProtocolException.malformed(messageName, "negative length " + length);
        }
        require(buf, length, messageName);
    }

    private static void require(ByteBuf buf, int length, String messageName) {
        if (buf.readableBytes() < length) {
            throw ProtocolException.malformed(messageName, "truncated: needs " + length
                    + " more bytes, " + buf.readableBytes() + " remain");
        }
    }
}
