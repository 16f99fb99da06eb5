package io.pgwarden.core.protocol.backend;

import io.netty.buffer.ByteBuf;
import io.pgwarden.core.protocol.MessageType;
import io.pgwarden.core.protocol.PgBuffers;
import java.util.Objects;

/** NotificationResponse ({@code 'A'}): a NOTIFY on a channel this session LISTENs to. */
public record NotificationResponse(int processId, String channel, String payload) {

    private static final String NAME = "NotificationResponse";

    public NotificationResponse {
        Objects.requireNonNull(channel, "channel");
        Objects.requireNonNull(payload, "payload");
    }

    /** Decodes the body after the length. */
    public static NotificationResponse decode(ByteBuf body) {
        int processId = PgBuffers.readInt32(body, NAME);
        String channel = PgBuffers.readCString(body, NAME);
        String payload = PgBuffers.readCString(body, NAME);
        PgBuffers.requireEnd(body, NAME);
        return new NotificationResponse(processId, channel, payload);
    }

    /** Writes the whole message. */
    public void encode(ByteBuf out) {
        int lengthIndex = PgBuffers.beginMessage(out, MessageType.NOTIFICATION_RESPONSE);
        out.writeInt(processId);
        PgBuffers.writeCString(out, channel);
        PgBuffers.writeCString(out, payload);
        PgBuffers.endMessage(out, lengthIndex);
    }
}
