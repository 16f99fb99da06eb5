package io.pgwarden.core.protocol.frontend;

import io.netty.buffer.ByteBuf;
import io.pgwarden.core.protocol.PgBuffers;
import io.pgwarden.core.protocol.ProtocolException;

/**
 * The untyped first packet of a connection: StartupMessage, SSLRequest, GSSENCRequest or
 * CancelRequest, told apart by the Int32 after the length.
 */
public sealed interface StartupPacket permits StartupMessage, SslRequest, GssEncRequest, CancelRequest {

    /** SQLSTATE feature_not_supported, used for protocol versions other than 3.x. */
    String FEATURE_NOT_SUPPORTED = "0A000";

    /** Writes the whole packet: Int32 length including itself, then the body. */
    void encode(ByteBuf out);

    /**
     * Decodes the body of a startup packet (everything after its Int32 length), reading all of it.
     *
     * @throws ProtocolException for a malformed body ({@code 08P01}) or a protocol major version
     *     other than 3 ({@code 0A000}, as PostgreSQL answers)
     */
    static StartupPacket decode(ByteBuf packetWithoutLength) {
        int code = PgBuffers.readInt32(packetWithoutLength, "startup packet");
        return switch (code) {
            case SslRequest.CODE -> SslRequest.decodeBody(packetWithoutLength);
            case GssEncRequest.CODE -> GssEncRequest.decodeBody(packetWithoutLength);
            case CancelRequest.CODE -> CancelRequest.decodeBody(packetWithoutLength);
            default -> {
                if (code >>> 16 != 3) {
                    throw new ProtocolException(FEATURE_NOT_SUPPORTED, "unsupported frontend protocol "
                            + (code >>> 16) + "." + (code & 0xffff)
                            + ": server supports 3.0 to 3." + StartupMessage.NEWEST_MINOR_VERSION);
                }
                yield StartupMessage.decodeBody(code, packetWithoutLength);
            }
        };
    }
}
