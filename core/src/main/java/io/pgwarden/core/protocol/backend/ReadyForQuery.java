package io.pgwarden.core.protocol.backend;

import io.netty.buffer.ByteBuf;
import io.pgwarden.core.protocol.MessageType;
import io.pgwarden.core.protocol.PgBuffers;
import io.pgwarden.core.protocol.ProtocolException;

/** ReadyForQuery ({@code 'Z'}): the server waits for a new query; the transaction status. */
public record ReadyForQuery(char status) {

    /** Not in a transaction block. */
    public static final char IDLE = 'I';
    /** In a transaction block. */
    public static final char IN_TRANSACTION = 'T';
    /** In a failed transaction block: queries are rejected until it ends. */
    public static final char FAILED_TRANSACTION = 'E';

    public static final ReadyForQuery IDLE_INSTANCE = new ReadyForQuery(IDLE);

    private static final String NAME = "ReadyForQuery";

    public ReadyForQuery {
        if (!isStatus(status)) {
            throw new IllegalArgumentException("transaction status must be I, T or E: " + (int) status);
        }
    }

    /** Decodes the body after the length. */
    public static ReadyForQuery decode(ByteBuf payload) {
        int status = PgBuffers.readByte(payload, NAME);
        PgBuffers.requireEnd(payload, NAME);
        if (!isStatus((char) status)) {
            throw ProtocolException.malformed(NAME, "unknown transaction status " + status);
        }
        return new ReadyForQuery((char) status);
    }

    /** Writes the whole message. */
    public void encode(ByteBuf out) {
        out.writeByte(MessageType.READY_FOR_QUERY);
        out.writeInt(5);
        out.writeByte(status);
    }

    private static boolean isStatus(char status) {
        return status == IDLE || status == IN_TRANSACTION || status == FAILED_TRANSACTION;
    }
}
