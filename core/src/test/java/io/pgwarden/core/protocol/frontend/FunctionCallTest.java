package io.pgwarden.core.protocol.frontend;

import static io.pgwarden.core.protocol.CodecAssertions.assertMessage;
import static io.pgwarden.core.protocol.CodecAssertions.decodeRejects;
import static io.pgwarden.core.protocol.WireBytes.wire;
import static org.assertj.core.api.Assertions.assertThat;

import io.pgwarden.core.protocol.backend.FunctionCallResponse;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** FunctionCall and its answer, FunctionCallResponse. */
class FunctionCallTest {

    @Test
    void functionCallWritesOidFormatsArgumentsAndResultFormat() {
        FunctionCall call = new FunctionCall(1598, List.of((short) 1),
                Arrays.asList(new byte[] {0, 0, 0, 7}, null), (short) 1);
        byte[] expected = wire().type('F').int32(4 + 4 + (2 + 2) + 2 + (8 + 4) + 2)
                .int32(1598).int16(1).int16(1).int16(2).int32(4).bytes(0, 0, 0, 7).int32(-1).int16(1)
                .toArray();
        assertMessage(call, FunctionCall::encode, FunctionCall::decode, expected);
        assertThat(call.toString()).contains("2 values");
    }

    @Test
    void functionCallRejectsBadArgumentLength() {
        decodeRejects(wire().int32(1).int16(0).int16(1).int32(-3).int16(0).toArray(), FunctionCall::decode);
    }

    @Test
    void functionCallResponseWithValueAndNull() {
        assertMessage(new FunctionCallResponse(new byte[] {'o', 'k'}), FunctionCallResponse::encode,
                FunctionCallResponse::decode, wire().type('V').int32(4 + 4 + 2).int32(2).text("ok").toArray());
        assertMessage(new FunctionCallResponse(null), FunctionCallResponse::encode, FunctionCallResponse::decode,
                wire().type('V').int32(8).int32(-1).toArray());
    }
}
