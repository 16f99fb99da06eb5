package io.pgwarden.core.protocol.backend;

import io.netty.buffer.ByteBuf;
import io.pgwarden.core.protocol.MessageType;
import io.pgwarden.core.protocol.PgBuffers;
import io.pgwarden.core.protocol.ProtocolException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * AuthenticationSASL: the SASL mechanisms the server offers, in its order of preference
 * (e.g. {@code SCRAM-SHA-256-PLUS}, {@code SCRAM-SHA-256}, {@code OAUTHBEARER}).
 */
public record AuthenticationSASL(List<String> mechanisms) implements Authentication {

    public AuthenticationSASL {
        mechanisms = List.copyOf(Objects.requireNonNull(mechanisms, "mechanisms"));
        for (String mechanism : mechanisms) {
            if (mechanism.isEmpty()) {
                throw new IllegalArgumentException("a SASL mechanism name cannot be empty");
            }
        }
    }

    static AuthenticationSASL decodeBody(ByteBuf payload) {
        List<String> mechanisms = new ArrayList<>();
        while (true) {
            if (!payload.isReadable()) {
                throw ProtocolException.malformed(AuthenticationFrames.NAME,
                        "missing terminator after the last SASL mechanism");
            }
            String mechanism = PgBuffers.readCString(payload, AuthenticationFrames.NAME);
            if (mechanism.isEmpty()) {
                break;
            }
            mechanisms.add(mechanism);
        }
        PgBuffers.requireEnd(payload, AuthenticationFrames.NAME);
        return new AuthenticationSASL(mechanisms);
    }

    @Override
    public int authenticationCode() {
        return SASL;
    }

    @Override
    public void encode(ByteBuf out) {
        int lengthIndex = PgBuffers.beginMessage(out, MessageType.AUTHENTICATION);
        out.writeInt(SASL);
        for (String mechanism : mechanisms) {
            PgBuffers.writeCString(out, mechanism);
        }
        out.writeByte(0);
        PgBuffers.endMessage(out, lengthIndex);
    }
}
