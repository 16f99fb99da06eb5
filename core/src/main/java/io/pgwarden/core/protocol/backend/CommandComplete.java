package io.pgwarden.core.protocol.backend;

import io.netty.buffer.ByteBuf;
import io.pgwarden.core.protocol.MessageType;
import io.pgwarden.core.protocol.PgBuffers;
import java.util.Objects;

/** CommandComplete ({@code 'C'}): the command tag, e.g. {@code SELECT 3} or {@code INSERT 0 1}. */
public record CommandComplete(String tag) {

    private static final String NAME = "CommandComplete";

    public CommandComplete {
        Objects.requireNonNull(tag, "tag");
    }

    /** Decodes the body after the length. */
    public static CommandComplete decode(ByteBuf payload) {
        String tag = PgBuffers.readCString(payload, NAME);
        PgBuffers.requireEnd(payload, NAME);
        return new CommandComplete(tag);
    }

    /** Writes the whole message. */
    public void encode(ByteBuf out) {
        int lengthIndex = PgBuffers.beginMessage(out, MessageType.COMMAND_COMPLETE);
        PgBuffers.writeCString(out, tag);
        PgBuffers.endMessage(out, lengthIndex);
    }
}
