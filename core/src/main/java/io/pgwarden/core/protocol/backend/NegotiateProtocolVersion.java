package io.pgwarden.core.protocol.backend;

import io.netty.buffer.ByteBuf;
import io.pgwarden.core.protocol.MessageType;
import io.pgwarden.core.protocol.PgBuffers;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * NegotiateProtocolVersion ({@code 'v'}): the newest minor version the server supports for the
 * requested major version, and the {@code _pq_.} options it did not recognize.
 */
public record NegotiateProtocolVersion(int newestMinor, List<String> unrecognizedOptions) {

    private static final String NAME = "NegotiateProtocolVersion";

    public NegotiateProtocolVersion {
        unrecognizedOptions = List.copyOf(Objects.requireNonNull(unrecognizedOptions, "unrecognizedOptions"));
    }

    /** Decodes the body after the length. */
    public static NegotiateProtocolVersion decode(ByteBuf payload) {
        int newestMinor = PgBuffers.readInt32(payload, NAME);
        int count = PgBuffers.readCount32(payload, 1, NAME);
        List<String> options = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            options.add(PgBuffers.readCString(payload, NAME));
        }
        PgBuffers.requireEnd(payload, NAME);
        return new NegotiateProtocolVersion(newestMinor, options);
    }

    /** Writes the whole message. */
    public void encode(ByteBuf out) {
        int lengthIndex = PgBuffers.beginMessage(out, MessageType.NEGOTIATE_PROTOCOL_VERSION);
        out.writeInt(newestMinor);
        out.writeInt(unrecognizedOptions.size());
        for (String option : unrecognizedOptions) {
            PgBuffers.writeCString(out, option);
        }
        PgBuffers.endMessage(out, lengthIndex);
    }
}
