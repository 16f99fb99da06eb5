package io.pgwarden.core.protocol.backend;

import io.netty.buffer.ByteBuf;
import io.pgwarden.core.protocol.MessageType;
import java.util.List;

/**
 * CopyOutResponse ({@code 'H'}): COPY TO STDOUT data follows.
 *
 * @param overallFormat 0 for text, 1 for binary
 * @param columnFormats one format code per column
 */
public record CopyOutResponse(int overallFormat, List<Short> columnFormats) {

    private static final String NAME = "CopyOutResponse";

    public CopyOutResponse {
        CopyFormats.checkOverallFormat(overallFormat);
        columnFormats = List.copyOf(columnFormats);
    }

    /** Decodes the body after the length. */
    public static CopyOutResponse decode(ByteBuf payload) {
        int overallFormat = CopyFormats.readOverallFormat(payload, NAME);
        return new CopyOutResponse(overallFormat, CopyFormats.readColumnFormats(payload, NAME));
    }

    /** Writes the whole message. */
    public void encode(ByteBuf out) {
        CopyFormats.encode(out, MessageType.COPY_OUT_RESPONSE, overallFormat, columnFormats);
    }
}
