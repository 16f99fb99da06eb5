package io.pgwarden.core.protocol.backend;

import io.netty.buffer.ByteBuf;
import io.pgwarden.core.protocol.MessageType;
import io.pgwarden.core.protocol.PgBuffers;
import io.pgwarden.core.protocol.ProtocolException;
import io.pgwarden.core.protocol.frontend.CancelRequest;
import java.util.Arrays;
import java.util.Objects;

/**
 * BackendKeyData ({@code 'K'}): the process ID and secret key a client needs to cancel a query.
 * The key is 4 bytes on protocol 3.0 and up to 256 bytes on 3.2 (PostgreSQL 18 sends 32); any
 * length from 1 to 256 is accepted. The array is not copied and never appears in
 * {@link #toString()}.
 */
public record BackendKeyData(int processId, byte[] secretKey) {

    private static final String NAME = "BackendKeyData";

    public BackendKeyData {
        Objects.requireNonNull(secretKey, "secretKey");
        if (secretKey.length < 1 || secretKey.length > CancelRequest.MAX_SECRET_KEY_LENGTH) {
            throw new IllegalArgumentException("secret key length must be 1 to 256: " + secretKey.length);
        }
    }

    /** Decodes the body after the length. */
    public static BackendKeyData decode(ByteBuf payload) {
        int processId = PgBuffers.readInt32(payload, NAME);
        int keyLength = payload.readableBytes();
        if (keyLength < 1 || keyLength > CancelRequest.MAX_SECRET_KEY_LENGTH) {
            throw ProtocolException.malformed(NAME, "invalid cancel key length " + keyLength);
        }
        return new BackendKeyData(processId, PgBuffers.readRemaining(payload));
    }

    /** Writes the whole message. */
    public void encode(ByteBuf out) {
        int lengthIndex = PgBuffers.beginMessage(out, MessageType.BACKEND_KEY_DATA);
        out.writeInt(processId);
        out.writeBytes(secretKey);
        PgBuffers.endMessage(out, lengthIndex);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BackendKeyData other
                && processId == other.processId
                && Arrays.equals(secretKey, other.secretKey);
    }

    @Override
    public int hashCode() {
        return 31 * processId + Arrays.hashCode(secretKey);
    }

    @Override
    public String toString() {
        return "BackendKeyData[processId=" + processId + ", secretKey=<" + secretKey.length + " bytes>]";
    }
}
