package io.pgwarden.core.protocol.frontend;

import io.netty.buffer.ByteBuf;
import io.pgwarden.core.protocol.LengthPrefixedValues;
import io.pgwarden.core.protocol.MessageType;
import io.pgwarden.core.protocol.PgBuffers;
import java.util.List;
import java.util.Objects;

/**
 * Bind ({@code 'B'}): create {@code portal} from prepared {@code statement} (empty names for the
 * unnamed ones) with parameter values ({@code null} for SQL NULL) and the formats wanted for the
 * results. The number of format codes (0, 1 or one per value) is the server's to check. The value
 * arrays are not copied and never appear in {@link #toString()}.
 */
public record Bind(String portal, String statement, List<Short> parameterFormats, List<byte[]> parameters,
        List<Short> resultFormats) {

    private static final String NAME = "Bind";

    public Bind {
        Objects.requireNonNull(portal, "portal");
        Objects.requireNonNull(statement, "statement");
        parameterFormats = List.copyOf(parameterFormats);
        parameters = LengthPrefixedValues.copyOf(parameters);
        resultFormats = List.copyOf(resultFormats);
    }

    /** Decodes the body after the length. */
    public static Bind decode(ByteBuf payload) {
        String portal = PgBuffers.readCString(payload, NAME);
        String statement = PgBuffers.readCString(payload, NAME);
        List<Short> parameterFormats = PgBuffers.readInt16List(payload, NAME);
        int count = PgBuffers.readCount16(payload, 4, NAME);
        List<byte[]> parameters = LengthPrefixedValues.read(payload, count, NAME);
        List<Short> resultFormats = PgBuffers.readInt16List(payload, NAME);
        PgBuffers.requireEnd(payload, NAME);
        return new Bind(portal, statement, parameterFormats, parameters, resultFormats);
    }

    /** Writes the whole message. */
    public void encode(ByteBuf out) {
        int lengthIndex = PgBuffers.beginMessage(out, MessageType.BIND);
        PgBuffers.writeCString(out, portal);
        PgBuffers.writeCString(out, statement);
        PgBuffers.writeInt16List(out, parameterFormats);
        PgBuffers.writeCount16(out, parameters.size());
        LengthPrefixedValues.write(out, parameters);
        PgBuffers.writeInt16List(out, resultFormats);
        PgBuffers.endMessage(out, lengthIndex);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Bind other
                && portal.equals(other.portal)
                && statement.equals(other.statement)
                && parameterFormats.equals(other.parameterFormats)
                && LengthPrefixedValues.equal(parameters, other.parameters)
                && resultFormats.equals(other.resultFormats);
    }

    @Override
    public int hashCode() {
        return Objects.hash(portal, statement, parameterFormats, LengthPrefixedValues.hash(parameters),
                resultFormats);
    }

    @Override
    public String toString() {
        return "Bind[portal=" + portal + ", statement=" + statement + ", parameterFormats=" + parameterFormats
                + ", parameters=<" + parameters.size() + " values>, resultFormats=" + resultFormats + "]";
    }
}
