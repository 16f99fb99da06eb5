package io.pgwarden.core.protocol.backend;

import io.netty.buffer.ByteBuf;
import io.pgwarden.core.protocol.MessageType;
import io.pgwarden.core.protocol.PgBuffers;
import java.util.Objects;

/** ParameterStatus ({@code 'S'}): the current value of a reported run-time parameter. */
public record ParameterStatus(String name, String value) {

    private static final String NAME = "ParameterStatus";

    public ParameterStatus {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(value, "value");
    }

    /** Decodes the body after the length. */
    public static ParameterStatus decode(ByteBuf payload) {
        String name = PgBuffers.readCString(payload, NAME);
        String value = PgBuffers.readCString(payload, NAME);
        PgBuffers.requireEnd(payload, NAME);
        return new ParameterStatus(name, value);
    }

    /** Writes the whole message. */
    public void encode(ByteBuf out) {
        int lengthIndex = PgBuffers.beginMessage(out, MessageType.PARAMETER_STATUS);
        PgBuffers.writeCString(out, name);
        PgBuffers.writeCString(out, value);
        PgBuffers.endMessage(out, lengthIndex);
    }
}
