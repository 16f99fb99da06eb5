package io.pgwarden.core.protocol.frontend;

import static io.pgwarden.core.protocol.CodecAssertions.STARTUP_HEADER;
import static io.pgwarden.core.protocol.CodecAssertions.assertIllegalArgument;
import static io.pgwarden.core.protocol.CodecAssertions.assertMessage;
import static io.pgwarden.core.protocol.CodecAssertions.assertOpenEndedMessage;
import static io.pgwarden.core.protocol.CodecAssertions.decodeRejects;
import static io.pgwarden.core.protocol.WireBytes.wire;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StartupPacketTest {

    @Test
    void startupMessageEncodesParametersInOrderWithTerminator() {
        Map<String, String> parameters = new LinkedHashMap<>();
        parameters.put("user", "alice");
        parameters.put("database", "app");
        parameters.put("application_name", "");
        StartupMessage message = new StartupMessage(StartupMessage.PROTOCOL_3_0, parameters);
        byte[] expected = wire()
                .int32(4 + 4 + 5 + 6 + 9 + 4 + 17 + 1 + 1)
                .int32(196608)
                .string("user").string("alice")
                .string("database").string("app")
                .string("application_name").string("")
                .int8(0)
                .toArray();
        assertMessage(message, StartupMessage::encode, StartupPacket::decode, expected, STARTUP_HEADER);
        assertThat(message.parameters().keySet()).containsExactly("user", "database", "application_name");
    }

    @Test
    void startupMessageKeepsProtocol32Version() {
        StartupMessage message = new StartupMessage(StartupMessage.PROTOCOL_3_2, Map.of("user", "bob"));
        byte[] expected = wire().int32(4 + 4 + 5 + 4 + 1).int32(0x00030002)
                .string("user").string("bob").int8(0).toArray();
        assertMessage(message, StartupMessage::encode, StartupPacket::decode, expected, STARTUP_HEADER);
        assertThat(message.majorVersion()).isEqualTo(3);
        assertThat(message.minorVersion()).isEqualTo(2);
    }

    @Test
    void startupMessageWithoutParametersIsJustTheTerminator() {
        StartupMessage message = new StartupMessage(StartupMessage.PROTOCOL_3_0, Map.of());
        byte[] expected = wire().int32(9).int32(196608).int8(0).toArray();
        assertMessage(message, StartupMessage::encode, StartupPacket::decode, expected, STARTUP_HEADER);
    }

    @Test
    void startupMessageRejectsRepeatedParameter() {
        byte[] body = wire().int32(196608).string("user").string("a").string("user").string("b").int8(0)
                .toArray();
        assertThat(decodeRejects(body, StartupPacket::decode)).hasMessageContaining("\"user\" given twice");
    }

    @Test
    void startupMessageRejectsNameWithoutValue() {
        byte[] body = wire().int32(196608).string("user").int8(0).toArray();
        decodeRejects(body, StartupPacket::decode);
    }

    @Test
    void unsupportedMajorVersionIsFeatureNotSupported() {
        byte[] body = wire().int32(2 << 16).string("user").string("a").int8(0).toArray();
        assertThat(decodeRejects(body, StartupPacket::decode).sqlState()).isEqualTo("0A000");
        byte[] unknownRequest = wire().int32((1234 << 16) | 5681).toArray();
        assertThat(decodeRejects(unknownRequest, StartupPacket::decode).sqlState()).isEqualTo("0A000");
    }

    @Test
    void startupMessageEncodeRefusesEmptyNameAndNul() {
        assertIllegalArgument(() -> new StartupMessage(196608, Map.of("", "x"))
                .encode(io.netty.buffer.Unpooled.buffer()));
        assertIllegalArgument(() -> new StartupMessage(196608, Map.of("user", "a\0b"))
                .encode(io.netty.buffer.Unpooled.buffer()));
    }

    @Test
    void startupMessageToStringHidesValues() {
        assertThat(new StartupMessage(196608, Map.of("options", "-c secret=1")).toString())
                .doesNotContain("secret");
    }

    @Test
    void sslRequestIsLengthEightAndItsCode() {
        byte[] expected = wire().int32(8).int32(80877103).toArray();
        assertMessage(SslRequest.INSTANCE, SslRequest::encode, StartupPacket::decode, expected, STARTUP_HEADER);
        assertThat(expected).containsExactly(0, 0, 0, 8, 0x04, (byte) 0xd2, 0x16, 0x2f);
    }

    @Test
    void gssEncRequestIsLengthEightAndItsCode() {
        byte[] expected = wire().int32(8).int32(80877104).toArray();
        assertMessage(GssEncRequest.INSTANCE, GssEncRequest::encode, StartupPacket::decode, expected,
                STARTUP_HEADER);
        assertThat(expected).containsExactly(0, 0, 0, 8, 0x04, (byte) 0xd2, 0x16, 0x30);
    }

    @Test
    void cancelRequestWithProtocol30Key() {
        CancelRequest request = new CancelRequest(4242, new byte[] {1, 2, 3, 4});
        byte[] expected = wire().int32(16).int32(80877102).int32(4242).bytes(1, 2, 3, 4).toArray();
        assertOpenEndedMessage(request, CancelRequest::encode, StartupPacket::decode, expected, STARTUP_HEADER);
    }

    @Test
    void cancelRequestWithProtocol32Key() {
        byte[] key = new byte[256];
        for (int i = 0; i < key.length; i++) {
            key[i] = (byte) i;
        }
        CancelRequest request = new CancelRequest(7, key);
        byte[] expected = wire().int32(12 + 256).int32(80877102).int32(7).bytes(key).toArray();
        assertOpenEndedMessage(request, CancelRequest::encode, StartupPacket::decode, expected, STARTUP_HEADER);
        assertThat(request.toString()).doesNotContain("1, 2");
    }

    @Test
    void cancelRequestRejectsMissingOrOversizedKey() {
        decodeRejects(wire().int32(80877102).int32(7).toArray(), StartupPacket::decode);
        decodeRejects(wire().int32(80877102).int32(7).bytes(new byte[257]).toArray(), StartupPacket::decode);
        assertIllegalArgument(() -> new CancelRequest(1, new byte[0]));
        assertIllegalArgument(() -> new CancelRequest(1, new byte[257]));
    }

    @Test
    void requestsRejectTrailingBytes() {
        decodeRejects(wire().int32(80877103).int8(0).toArray(), StartupPacket::decode);
        decodeRejects(wire().int32(80877104).int8(0).toArray(), StartupPacket::decode);
        decodeRejects(new byte[] {4, (byte) 0xd2}, StartupPacket::decode);
    }
}
