package io.pgwarden.core.protocol.backend;

import static io.pgwarden.core.protocol.CodecAssertions.TYPED_HEADER;
import static io.pgwarden.core.protocol.CodecAssertions.assertIllegalArgument;
import static io.pgwarden.core.protocol.CodecAssertions.assertMessage;
import static io.pgwarden.core.protocol.CodecAssertions.assertOpenEndedMessage;
import static io.pgwarden.core.protocol.CodecAssertions.decodeRejects;
import static io.pgwarden.core.protocol.WireBytes.wire;

import java.util.List;
import org.junit.jupiter.api.Test;

/** CopyData, CopyDone, CopyInResponse, CopyOutResponse, CopyBothResponse. */
class CopyMessagesTest {

    @Test
    void copyDataIsRawBytes() {
        assertOpenEndedMessage(new CopyData("1\tone\n".getBytes(java.nio.charset.StandardCharsets.UTF_8)),
                CopyData::encode, CopyData::decode, wire().type('d').int32(4 + 6).text("1\tone\n").toArray(),
                TYPED_HEADER);
        assertOpenEndedMessage(new CopyData(new byte[0]), CopyData::encode, CopyData::decode,
                wire().type('d').int32(4).toArray(), TYPED_HEADER);
    }

    @Test
    void copyDoneIsTypeAndLengthFour() {
        assertMessage(CopyDone.INSTANCE, CopyDone::encode, CopyDone::decode, wire().type('c').int32(4).toArray());
    }

    @Test
    void copyInResponseWritesOverallAndColumnFormats() {
        assertMessage(new CopyInResponse(0, List.of((short) 0, (short) 0)), CopyInResponse::encode,
                CopyInResponse::decode, wire().type('G').int32(4 + 1 + 2 + 4).int8(0).int16(2).int16(0).int16(0)
                        .toArray());
    }

    @Test
    void copyOutResponseInBinary() {
        assertMessage(new CopyOutResponse(1, List.of((short) 1)), CopyOutResponse::encode, CopyOutResponse::decode,
                wire().type('H').int32(4 + 1 + 2 + 2).int8(1).int16(1).int16(1).toArray());
    }

    @Test
    void copyBothResponseWithoutColumns() {
        assertMessage(new CopyBothResponse(0, List.of()), CopyBothResponse::encode, CopyBothResponse::decode,
                wire().type('W').int32(4 + 1 + 2).int8(0).int16(0).toArray());
    }

    @Test
    void copyResponsesRejectUnknownOverallFormatAndLyingCounts() {
        decodeRejects(wire().int8(2).int16(0).toArray(), CopyInResponse::decode);
        decodeRejects(wire().int8(0).int16(5).int16(0).toArray(), CopyOutResponse::decode);
        assertIllegalArgument(() -> new CopyBothResponse(3, List.of()));
    }
}
