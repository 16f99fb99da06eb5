package io.pgwarden.core.protocol.backend;

import io.netty.buffer.ByteBuf;
import io.pgwarden.core.protocol.MessageType;
import java.util.List;

/**
 * CopyInResponse ({@code 'G'}): the server is ready for COPY FROM STDIN data.
 *
 * @param overallFormat 0 for text, 1 for binary
 * @param columnFormats one format code per column
 */
public record CopyInResponse(int overallFormat, List<Short> columnFormats) {

    private static final String NAME = "CopyInResponse";

    public CopyInResponse {
        CopyFormats.checkOverallFormat(overallFormat);
        columnFormats = List.copyOf(columnFormats);
    }

    /** Decodes the body after the length. */
    public static CopyInResponse decode(ByteBuf payload) {
        int overallFormat = CopyFormats.readOverallFormat(payload, NAME);
        return new CopyInResponse(overallFormat, CopyFormats.readColumnFormats(payload, NAME));
    }

    /** Writes the whole message. */
    public void encode(ByteBuf out) {
        CopyFormats.encode(out, MessageType.COPY_IN_RESPONSE, overallFormat, columnFormats);
    }
}
