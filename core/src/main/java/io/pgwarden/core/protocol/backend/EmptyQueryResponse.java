package io.pgwarden.core.protocol.backend;

import io.netty.buffer.ByteBuf;
import io.pgwarden.core.protocol.MessageType;
import io.pgwarden.core.protocol.PgBuffers;

/** EmptyQueryResponse ({@code 'I'}): the query string was empty; replaces CommandComplete. */
public record EmptyQueryResponse() {

    public static final EmptyQueryResponse INSTANCE = new EmptyQueryResponse();

    /** Decodes the body after the length, which must be empty. */
    public static EmptyQueryResponse decode(ByteBuf payload) {
        PgBuffers.requireEnd(payload, "EmptyQueryResponse");
        return INSTANCE;
    }

    /** Writes the whole message: the type byte and length 4. */
    public void encode(ByteBuf out) {
        out.writeByte(MessageType.EMPTY_QUERY_RESPONSE);
        out.writeInt(4);
    }
}
