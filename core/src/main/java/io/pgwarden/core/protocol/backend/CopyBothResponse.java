package io.pgwarden.core.protocol.backend;

import io.netty.buffer.ByteBuf;
import io.pgwarden.core.protocol.MessageType;
import java.util.List;

/**
 * CopyBothResponse ({@code 'W'}): copy in both directions starts (streaming replication only).
 *
 * @param overallFormat 0 for text, 1 for binary
 * @param columnFormats one format code per column
 */
public record CopyBothResponse(int overallFormat, List<Short> columnFormats) {

    private static final String NAME = "CopyBothResponse";

    public CopyBothResponse {
        CopyFormats.checkOverallFormat(overallFormat);
        columnFormats = List.copyOf(columnFormats);
    }

    /** Decodes the body after the length. */
    public static CopyBothResponse decode(ByteBuf payload) {
        int overallFormat = CopyFormats.readOverallFormat(payload, NAME);
        return new CopyBothResponse(overallFormat, CopyFormats.readColumnFormats(payload, NAME));
    }

    /** Writes the whole message. */
    public void encode(ByteBuf out) {
        CopyFormats.encode(out, MessageType.COPY_BOTH_RESPONSE, overallFormat, columnFormats);
    }
}
