package io.pgwarden.core.protocol.frontend;

import io.netty.buffer.ByteBuf;
import io.pgwarden.core.protocol.PgBuffers;
import io.pgwarden.core.protocol.ProtocolException;
import java.util.Arrays;
import java.util.Objects;

/**
 * CancelRequest: sent on a new connection to cancel the query of the backend named by the process
 * ID and secret key. The key is 4 bytes on protocol 3.0 and up to 256 bytes on 3.2; the packet does
 * not say which protocol issued the key, so any length from 1 to 256 is accepted, as PostgreSQL 18
 * does. The array is not copied; its content is secret and never appears in {@link #toString()}.
 */
public record CancelRequest(int processId, byte[] secretKey) implements StartupPacket {

    /** 1234 in the high 16 bits, 5678 in the low 16 bits. */
    public static final int CODE = 80877102;

    /** The longest secret key protocol 3.2 allows. */
    public static final int MAX_SECRET_KEY_LENGTH = 256;

    public CancelRequest {
        Objects.requireNonNull(secretKey, "secretKey");
        if (secretKey.length < 1 || secretKey.length > MAX_SECRET_KEY_LENGTH) {
            throw new IllegalArgumentException("secret key length must be 1 to 256: " + secretKey.length);
        }
    }

    static CancelRequest decodeBody(ByteBuf body) {
        int processId = PgBuffers.readInt32(body, "CancelRequest");
        int keyLength = body.readableBytes();
        if (keyLength < 1 || keyLength > MAX_SECRET_KEY_LENGTH) {
            throw ProtocolException.malformed("CancelRequest", "invalid cancel key length " + keyLength);
        }
        return new CancelRequest(processId, PgBuffers.readRemaining(body));
    }

    @Override
    public void encode(ByteBuf out) {
        int lengthIndex = PgBuffers.beginPacket(out);
        out.writeInt(CODE);
        out.writeInt(processId);
        out.writeBytes(secretKey);
        PgBuffers.endMessage(out, lengthIndex);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CancelRequest other
                && processId == other.processId
                && Arrays.equals(secretKey, other.secretKey);
    }

    @Override
    public int hashCode() {
        return 31 * processId + Arrays.hashCode(secretKey);
    }

    @Override
    public String toString() {
        return "CancelRequest[processId=" + processId + ", secretKey=<" + secretKey.length + " bytes>]";
    }
}
