package io.pgwarden.core.protocol.frontend;

import io.netty.buffer.ByteBuf;
import io.pgwarden.core.protocol.MessageType;
import io.pgwarden.core.protocol.PgBuffers;
import java.util.List;
import java.util.Objects;

/**
 * Parse ({@code 'P'}): prepare {@code query} as {@code statement} (empty for the unnamed one),
 * with the parameter types the client chose to specify (0 leaves a type unspecified).
 */
public record Parse(String statement, String query, List<Integer> parameterTypes) {

    private static final String NAME = "Parse";

    public Parse {
        Objects.requireNonNull(statement, "statement");
        Objects.requireNonNull(query, "query");
        parameterTypes = List.copyOf(parameterTypes);
    }

    /** Decodes the body after the length. */
    public static Parse decode(ByteBuf payload) {
        String statement = PgBuffers.readCString(payload, NAME);
        String query = PgBuffers.readCString(payload, NAME);
        List<Integer> types = PgBuffers.readInt32List(payload, NAME);
        PgBuffers.requireEnd(payload, NAME);
        return new Parse(statement, query, types);
    }

    /** Writes the whole message. */
    public void encode(ByteBuf out) {
        int lengthIndex = PgBuffers.beginMessage(out, MessageType.PARSE);
        PgBuffers.writeCString(out, statement);
        PgBuffers.writeCString(out, query);
        PgBuffers.writeInt32List(out, parameterTypes);
        PgBuffers.endMessage(out, lengthIndex);
    }
}
