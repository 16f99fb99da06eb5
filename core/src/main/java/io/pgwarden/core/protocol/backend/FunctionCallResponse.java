package io.pgwarden.core.protocol.backend;

import io.netty.buffer.ByteBuf;
import io.pgwarden.core.protocol.LengthPrefixedValues;
import io.pgwarden.core.protocol.MessageType;
import io.pgwarden.core.protocol.PgBuffers;
import java.util.Arrays;

/** FunctionCallResponse ({@code 'V'}): the function's result, {@code null} for SQL NULL. Not copied. */
public record FunctionCallResponse(byte[] result) {

    private static final String NAME = "FunctionCallResponse";

    /** Decodes the body after the length. */
    public static FunctionCallResponse decode(ByteBuf payload) {
        byte[] result = LengthPrefixedValues.readValue(payload, NAME);
        PgBuffers.requireEnd(payload, NAME);
        return new FunctionCallResponse(result);
    }

    /** Writes the whole message. */
    public void encode(ByteBuf out) {
        int lengthIndex = PgBuffers.beginMessage(out, MessageType.FUNCTION_CALL_RESPONSE);
        LengthPrefixedValues.writeValue(out, result);
        PgBuffers.endMessage(out, lengthIndex);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FunctionCallResponse other && Arrays.equals(result, other.result);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(result);
    }

    @Override
    public String toString() {
        return "FunctionCallResponse[" + (result == null ? "NULL" : "<" + result.length + " bytes>") + "]";
    }
}
