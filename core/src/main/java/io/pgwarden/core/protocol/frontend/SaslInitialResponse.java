package io.pgwarden.core.protocol.frontend;

import io.netty.buffer.ByteBuf;
import io.pgwarden.core.protocol.LengthPrefixedValues;
import io.pgwarden.core.protocol.MessageType;
import io.pgwarden.core.protocol.PgBuffers;
import java.util.Arrays;
import java.util.Objects;

/**
 * SASLInitialResponse ({@code 'p'}): the mechanism the client chose and its initial response,
 * {@code null} when there is none (length -1 on the wire). The array is not copied and never
 * appears in {@link #toString()}.
 */
public record SaslInitialResponse(String mechanism, byte[] data) {

    private static final String NAME = "SASLInitialResponse";

    public SaslInitialResponse {
        Objects.requireNonNull(mechanism, "mechanism");
    }

    /** Decodes the body after the length. */
    public static SaslInitialResponse decode(ByteBuf payload) {
        String mechanism = PgBuffers.readCString(payload, NAME);
        byte[] data = LengthPrefixedValues.readValue(payload, NAME);
        PgBuffers.requireEnd(payload, NAME);
        return new SaslInitialResponse(mechanism, data);
    }

    /** Writes the whole message. */
    public void encode(ByteBuf out) {
        int lengthIndex = PgBuffers.beginMessage(out, MessageType.SASL_INITIAL_RESPONSE);
        PgBuffers.writeCString(out, mechanism);
        LengthPrefixedValues.writeValue(out, data);
        PgBuffers.endMessage(out, lengthIndex);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SaslInitialResponse other
                && mechanism.equals(other.mechanism)
                && Arrays.equals(data, other.data);
    }

    @Override
    public int hashCode() {
        return 31 * mechanism.hashCode() + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "SASLInitialResponse[mechanism=" + mechanism + ", data="
                + (data == null ? "none" : "<" + data.length + " bytes>") + "]";
    }
}
