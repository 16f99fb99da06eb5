package io.pgwarden.core.protocol.backend;

import static io.pgwarden.core.protocol.CodecAssertions.TYPED_HEADER;
import static io.pgwarden.core.protocol.CodecAssertions.assertIllegalArgument;
import static io.pgwarden.core.protocol.CodecAssertions.assertMessage;
import static io.pgwarden.core.protocol.CodecAssertions.assertOpenEndedMessage;
import static io.pgwarden.core.protocol.CodecAssertions.decodeRejects;
import static io.pgwarden.core.protocol.WireBytes.wire;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** ParameterStatus, BackendKeyData, ReadyForQuery, NegotiateProtocolVersion. */
class SessionStartMessagesTest {

    @Test
    void parameterStatusIsNameAndValue() {
        byte[] expected = wire().type('S').int32(4 + 9 + 4).string("TimeZone").string("UTC").toArray();
        assertMessage(new ParameterStatus("TimeZone", "UTC"), ParameterStatus::encode,
                ParameterStatus::decode, expected);
    }

    @Test
    void backendKeyDataWithProtocol30Key() {
        BackendKeyData keyData = new BackendKeyData(12345,
                new byte[] {(byte) 0xde, (byte) 0xad, (byte) 0xbe, (byte) 0xef});
        byte[] expected = wire().type('K').int32(12).int32(12345).bytes(0xde, 0xad, 0xbe, 0xef).toArray();
        assertOpenEndedMessage(keyData, BackendKeyData::encode, BackendKeyData::decode, expected, TYPED_HEADER);
        assertThat(keyData.toString()).doesNotContainIgnoringCase("dead").doesNotContain("-34");
    }

    @Test
    void backendKeyDataWithProtocol32Key() {
        byte[] key = new byte[32];
        key[31] = 1;
        BackendKeyData keyData = new BackendKeyData(1, key);
        byte[] expected = wire().type('K').int32(4 + 4 + 32).int32(1).bytes(key).toArray();
        assertOpenEndedMessage(keyData, BackendKeyData::encode, BackendKeyData::decode, expected, TYPED_HEADER);
    }

    @Test
    void backendKeyDataRejectsMissingOrOversizedKey() {
        decodeRejects(wire().int32(1).toArray(), BackendKeyData::decode);
        decodeRejects(wire().int32(1).bytes(new byte[257]).toArray(), BackendKeyData::decode);
        assertIllegalArgument(() -> new BackendKeyData(1, new byte[0]));
    }

    @Test
    void readyForQueryCarriesTransactionStatus() {
        for (char status : new char[] {'I', 'T', 'E'}) {
            assertMessage(new ReadyForQuery(status), ReadyForQuery::encode, ReadyForQuery::decode,
                    wire().type('Z').int32(5).type(status).toArray());
        }
        assertThat(ReadyForQuery.IDLE_INSTANCE.status()).isEqualTo('I');
    }

    @Test
    void readyForQueryRejectsUnknownStatus() {
        assertThat(decodeRejects(new byte[] {'X'}, ReadyForQuery::decode)).hasMessageContaining("ReadyForQuery");
        assertIllegalArgument(() -> new ReadyForQuery('x'));
    }

    @Test
    void negotiateProtocolVersionListsUnrecognizedOptions() {
        NegotiateProtocolVersion message = new NegotiateProtocolVersion(2, List.of("_pq_.foo", "_pq_.bar"));
        byte[] expected = wire().type('v').int32(4 + 4 + 4 + 9 + 9).int32(2).int32(2)
                .string("_pq_.foo").string("_pq_.bar").toArray();
        assertMessage(message, NegotiateProtocolVersion::encode, NegotiateProtocolVersion::decode, expected);
    }

    @Test
    void negotiateProtocolVersionWithoutOptions() {
        assertMessage(new NegotiateProtocolVersion(0, List.of()), NegotiateProtocolVersion::encode,
                NegotiateProtocolVersion::decode, wire().type('v').int32(12).int32(0).int32(0).toArray());
    }

    @Test
    void negotiateProtocolVersionRejectsLyingCounts() {
        decodeRejects(wire().int32(2).int32(-1).toArray(), NegotiateProtocolVersion::decode);
        decodeRejects(wire().int32(2).int32(0x7fffffff).string("x").toArray(), NegotiateProtocolVersion::decode);
    }
}
