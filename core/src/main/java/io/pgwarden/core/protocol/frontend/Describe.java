package io.pgwarden.core.protocol.frontend;

import io.netty.buffer.ByteBuf;
import io.pgwarden.core.protocol.MessageType;
import io.pgwarden.core.protocol.PgBuffers;
import java.util.Objects;

/** Describe ({@code 'D'}) An empty name is the unnamed one. */
public record Describe(char target, String name) {

    public static final char STATEMENT = PortalOrStatement.STATEMENT;
    public static final char PORTAL = PortalOrStatement.PORTAL;

    private static final String NAME = "Describe";

    public Describe {
        PortalOrStatement.checkTarget(target);
        Objects.requireNonNull(name, "name");
    }

    /** Describe the prepared statement {@code name}. */
    public static Describe statement(String name) {
        return new Describe(STATEMENT, name);
    }

    /** Describe the portal {@code name}. */
    public static Describe portal(String name) {
        return new Describe(PORTAL, name);
    }

    /** Decodes the body after the length. */
    public static Describe decode(ByteBuf payload) {
        char target = PortalOrStatement.readTarget(payload, NAME);
        String name = PgBuffers.readCString(payload, NAME);
        PgBuffers.requireEnd(payload, NAME);
        return new Describe(target, name);
    }

    /** Writes the whole message. */
    public void encode(ByteBuf out) {
        PortalOrStatement.encode(out, MessageType.DESCRIBE, target, name);
    }
}
