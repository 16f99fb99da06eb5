package io.pgwarden.core.protocol.frontend;

import io.netty.buffer.ByteBuf;
import io.pgwarden.core.protocol.MessageType;
import io.pgwarden.core.protocol.PgBuffers;
import java.util.Objects;

/** Execute ({@code 'E'}): run {@code portal}, returning at most {@code maxRows} rows (0: no limit). */
public record Execute(String portal, int maxRows) {

    private static final String NAME = "Execute";

    public Execute {
        Objects.requireNonNull(portal, "portal");
    }

    /** Decodes the body after the length. */
    public static Execute decode(ByteBuf payload) {
        String portal = PgBuffers.readCString(payload, NAME);
        int maxRows = PgBuffers.readInt32(payload, NAME);
        PgBuffers.requireEnd(payload, NAME);
        return new Execute(portal, maxRows);
    }

    /** Writes the whole message. */
    public void encode(ByteBuf out) {
        int lengthIndex = PgBuffers.beginMessage(out, MessageType.EXECUTE);
        PgBuffers.writeCString(out, portal);
        out.writeInt(maxRows);
        PgBuffers.endMessage(out, lengthIndex);
    }
}
