package io.pgwarden.core.protocol.backend;

import io.netty.buffer.ByteBuf;
import io.pgwarden.core.protocol.PgBuffers;
import io.pgwarden.core.protocol.ProtocolException;
import java.util.List;

/**
 * The body CopyInResponse, CopyOutResponse and CopyBothResponse share: Int8 overall format
 * (0 text, 1 binary), then an Int16 count of per-column Int16 format codes.
 */
final class CopyFormats {

    private CopyFormats() {
    }

    static int checkOverallFormat(int overallFormat) {
        if (overallFormat != 0 && overallFormat != 1) {
            throw new IllegalArgumentException("overall COPY format must be 0 or 1: " + overallFormat);
        }
        return overallFormat;
    }

    static int readOverallFormat(ByteBuf payload, String messageName) {
        int overallFormat = PgBuffers.readByte(payload, messageName);
        if (overallFormat != 0 && overallFormat != 1) {
            throw ProtocolException.malformed(messageName, "unknown overall COPY format " + overallFormat);
        }
        return overallFormat;
    }

    static List<Short> readColumnFormats(ByteBuf payload, String messageName) {
        List<Short> formats = PgBuffers.readInt16List(payload, messageName);
        PgBuffers.requireEnd(payload, messageName);
        return formats;
    }

    static void encode(ByteBuf out, byte type, int overallFormat, List<Short> columnFormats) {
        int lengthIndex = PgBuffers.beginMessage(out, type);
        out.writeByte(overallFormat);
        PgBuffers.writeInt16List(out, columnFormats);
        PgBuffers.endMessage(out, lengthIndex);
    }
}
