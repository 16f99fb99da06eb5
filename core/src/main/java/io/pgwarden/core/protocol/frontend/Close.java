package io.pgwarden.core.protocol.frontend;

import io.netty.buffer.ByteBuf;
import io.pgwarden.core.protocol.MessageType;
import io.pgwarden.core.protocol.PgBuffers;
import java.util.Objects;

/** Close ({@code 'C'}) An empty name is the unnamed one. */
public record Close(char target, String name) {

    public static final char STATEMENT = PortalOrStatement.STATEMENT;
    public static final char PORTAL = PortalOrStatement.PORTAL;

    private static final String NAME = "Close";

    public Close {
        PortalOrStatement.checkTarget(target);
        Objects.requireNonNull(name, "name");
    }

    /** Close the prepared statement {@code name}. */
    public static Close statement(String name) {
        return new Close(STATEMENT, name);
    }

    /** Close the portal {@code name}. */
    public static Close portal(String name) {
        return new Close(PORTAL, name);
    }

    /** Decodes the body after the length. */
    public static Close decode(ByteBuf payload) {
        char target = PortalOrStatement.readTarget(payload, NAME);
        String name = PgBuffers.readCString(payload, NAME);
        PgBuffers.requireEnd(payload, NAME);
        return new Close(target, name);
    }

    /** Writes the whole message. */
    public void encode(ByteBuf out) {
        PortalOrStatement.encode(out, MessageType.CLOSE, target, name);
    }
}
