package io.pgwarden.core.protocol.frontend;

import io.netty.buffer.ByteBuf;
import io.pgwarden.core.protocol.PgBuffers;
import io.pgwarden.core.protocol.ProtocolException;

/** The body Describe and Close share: {@code 'S'} or {@code 'P'}, then the name. */
final class PortalOrStatement {

    static final char STATEMENT = 'S';
    static final char PORTAL = 'P';

    private PortalOrStatement() {
    }

    static char checkTarget(char target) {
        if (target != STATEMENT && target != PORTAL) {
            throw new IllegalArgumentException("target must be 'S' or 'P': " + (int) target);
        }
        return target;
    }

    static char readTarget(ByteBuf payload, String messageName) {
        int target = PgBuffers.readByte(payload, messageName);
        if (target != STATEMENT && target != PORTAL) {
            throw ProtocolException.malformed(messageName, "unknown target " + target + ", expected 'S' or 'P'");
        }
        return (char) target;
    }

    static void encode(ByteBuf out, byte type, char target, String name) {
        int lengthIndex = PgBuffers.beginMessage(out, type);
        out.writeByte(target);
        PgBuffers.writeCString(out, name);
        PgBuffers.endMessage(out, lengthIndex);
    }
}
