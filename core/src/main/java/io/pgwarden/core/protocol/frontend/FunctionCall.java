package io.pgwarden.core.protocol.frontend;

import io.netty.buffer.ByteBuf;
import io.pgwarden.core.protocol.LengthPrefixedValues;
import io.pgwarden.core.protocol.MessageType;
import io.pgwarden.core.protocol.PgBuffers;
import java.util.List;
import java.util.Objects;

/**
 * FunctionCall ({@code 'F'}): call the function with this OID (the fast-path interface), with
 * argument values ({@code null} for SQL NULL) and the format wanted for the result. The value
 * arrays are not copied and never appear in {@link #toString()}.
 */
public record FunctionCall(int functionOid, List<Short> argumentFormats, List<byte[]> arguments,
        short resultFormat) {

    private static final String NAME = "FunctionCall";

    public FunctionCall {
        argumentFormats = List.copyOf(argumentFormats);
        arguments = LengthPrefixedValues.copyOf(arguments);
    }

    /** Decodes the body after the length. */
    public static FunctionCall decode(ByteBuf payload) {
        int functionOid = PgBuffers.readInt32(payload, NAME);
        List<Short> argumentFormats = PgBuffers.readInt16List(payload, NAME);
        int count = PgBuffers.readCount16(payload, 4, NAME);
        List<byte[]> arguments = LengthPrefixedValues.read(payload, count, NAME);
        short resultFormat = PgBuffers.readInt16(payload, NAME);
        PgBuffers.requireEnd(payload, NAME);
        return new FunctionCall(functionOid, argumentFormats, arguments, resultFormat);
    }

    /** Writes the whole message. */
    public void encode(ByteBuf out) {
        int lengthIndex = PgBuffers.beginMessage(out, MessageType.FUNCTION_CALL);
        out.writeInt(functionOid);
        PgBuffers.writeInt16List(out, argumentFormats);
        PgBuffers.writeCount16(out, arguments.size());
        LengthPrefixedValues.write(out, arguments);
        out.writeShort(resultFormat);
        PgBuffers.endMessage(out, lengthIndex);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FunctionCall other
                && functionOid == other.functionOid
                && argumentFormats.equals(other.argumentFormats)
                && LengthPrefixedValues.equal(arguments, other.arguments)
                && resultFormat == other.resultFormat;
    }

    @Override
    public int hashCode() {
        return Objects.hash(functionOid, argumentFormats, LengthPrefixedValues.hash(arguments), resultFormat);
    }

    @Override
    public String toString() {
        return "FunctionCall[functionOid=" + functionOid + ", argumentFormats=" + argumentFormats
                + ", arguments=<" + arguments.size() + " values>, resultFormat=" + resultFormat + "]";
    }
}
