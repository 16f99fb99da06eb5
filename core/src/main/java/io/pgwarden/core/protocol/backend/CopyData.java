package io.pgwarden.core.protocol.backend;

import io.netty.buffer.ByteBuf;
import io.pgwarden.core.protocol.MessageType;
import io.pgwarden.core.protocol.PgBuffers;
import java.util.Arrays;
import java.util.Objects;

/**
 * CopyData ({@code 'd'}), sent by both sides: a piece of a COPY data stream (from a server, one
 * row). The array is not copied.
 */
public record CopyData(byte[] data) {

    public CopyData {
        Objects.requireNonNull(data, "data");
    }

    /** Decodes the body after the length: all of it is data. */
    public static CopyData decode(ByteBuf payload) {
        return new CopyData(PgBuffers.readRemaining(payload));
    }

    /** Writes the whole message. */
    public void encode(ByteBuf out) {
        int lengthIndex = PgBuffers.beginMessage(out, MessageType.COPY_DATA);
        out.writeBytes(data);
        PgBuffers.endMessage(out, lengthIndex);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CopyData other && Arrays.equals(data, other.data);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "CopyData[<" + data.length + " bytes>]";
    }
}
