package io.pgwarden.core.protocol.frontend;

import io.netty.buffer.ByteBuf;
import io.pgwarden.core.protocol.MessageType;
import io.pgwarden.core.protocol.PgBuffers;
import java.util.Arrays;
import java.util.Objects;

/**
 * SASLResponse ({@code 'p'}): the client's next SASL message. The body is the data itself, any length. The array is
 * not copied and never appears in {@link #toString()}.
 */
public record SaslResponse(byte[] data) {

    public SaslResponse {
        Objects.requireNonNull(data, "data");
    }

    /** Decodes the body after the length: all of it is data. */
    public static SaslResponse decode(ByteBuf payload) {
        return new SaslResponse(PgBuffers.readRemaining(payload));
    }

    /** Writes the whole message. */
    public void encode(ByteBuf out) {
        int lengthIndex = PgBuffers.beginMessage(out, MessageType.SASL_RESPONSE);
        out.writeBytes(data);
        PgBuffers.endMessage(out, lengthIndex);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SaslResponse other && Arrays.equals(data, other.data);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "SASLResponse[<" + data.length + " bytes>]";
    }
}
