package io.pgwarden.core.protocol.backend;

import io.netty.buffer.ByteBuf;
import io.pgwarden.core.protocol.MessageType;
import io.pgwarden.core.protocol.PgBuffers;

/** PortalSuspended ({@code 's'}): an Execute reached its row limit. */
public record PortalSuspended() {

    public static final PortalSuspended INSTANCE = new PortalSuspended();

    /** Decodes the body after the length, which must be empty. */
    public static PortalSuspended decode(ByteBuf payload) {
        PgBuffers.requireEnd(payload, "PortalSuspended");
        return INSTANCE;
    }

    /** Writes the whole message: the type byte and length 4. */
    public void encode(ByteBuf out) {
        out.writeByte(MessageType.PORTAL_SUSPENDED);
        out.writeInt(4);
    }
}
