package io.pgwarden.core.protocol.backend;

import io.netty.buffer.ByteBuf;
import io.pgwarden.core.protocol.MessageType;
import io.pgwarden.core.protocol.PgBuffers;

/** Layouts the Authentication subtypes share: a code alone, or a code and mechanism data. */
final class AuthenticationFrames {

    static final String NAME = "Authentication";

    private AuthenticationFrames() {
    }

    static <T extends Authentication> T noData(ByteBuf payload, T instance) {
        PgBuffers.requireEnd(payload, NAME);
        return instance;
    }

    static void encodeCode(ByteBuf out, int code) {
        out.writeByte(MessageType.AUTHENTICATION);
        out.writeInt(8);
        out.writeInt(code);
    }

    static void encodeData(ByteBuf out, int code, byte[] data) {
        int lengthIndex = PgBuffers.beginMessage(out, MessageType.AUTHENTICATION);
        out.writeInt(code);
        out.writeBytes(data);
        PgBuffers.endMessage(out, lengthIndex);
    }
}
