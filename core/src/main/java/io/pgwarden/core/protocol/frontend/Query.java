package io.pgwarden.core.protocol.frontend;

import io.netty.buffer.ByteBuf;
import io.pgwarden.core.protocol.MessageType;
import io.pgwarden.core.protocol.PgBuffers;
import java.util.Objects;

/** Query ({@code 'Q'}): a simple-protocol query string, possibly several statements. */
public record Query(String sql) {

    private static final String NAME = "Query";

    public Query {
        Objects.requireNonNull(sql, "sql");
    }

    /** Decodes the body after the length. */
    public static Query decode(ByteBuf payload) {
        String sql = PgBuffers.readCString(payload, NAME);
        PgBuffers.requireEnd(payload, NAME);
        return new Query(sql);
    }

    /** Writes the whole message. */
    public void encode(ByteBuf out) {
        int lengthIndex = PgBuffers.beginMessage(out, MessageType.QUERY);
        PgBuffers.writeCString(out, sql);
        PgBuffers.endMessage(out, lengthIndex);
    }
}
