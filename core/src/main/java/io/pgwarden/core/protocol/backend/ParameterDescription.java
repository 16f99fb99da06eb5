package io.pgwarden.core.protocol.backend;

import io.netty.buffer.ByteBuf;
import io.pgwarden.core.protocol.MessageType;
import io.pgwarden.core.protocol.PgBuffers;
import java.util.List;

/** ParameterDescription ({@code 't'}): the type OIDs of a prepared statement's parameters. */
public record ParameterDescription(List<Integer> parameterTypes) {

    private static final String NAME = "ParameterDescription";

    public ParameterDescription {
        parameterTypes = List.copyOf(parameterTypes);
    }

    /** Decodes the body after the length. */
    public static ParameterDescription decode(ByteBuf payload) {
        List<Integer> types = PgBuffers.readInt32List(payload, NAME);
        PgBuffers.requireEnd(payload, NAME);
        return new ParameterDescription(types);
    }

    /** Writes the whole message. */
    public void encode(ByteBuf out) {
        int lengthIndex = PgBuffers.beginMessage(out, MessageType.PARAMETER_DESCRIPTION);
        PgBuffers.writeInt32List(out, parameterTypes);
        PgBuffers.endMessage(out, lengthIndex);
    }
}
