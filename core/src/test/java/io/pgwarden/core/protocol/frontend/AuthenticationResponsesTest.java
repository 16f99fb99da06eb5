package io.pgwarden.core.protocol.frontend;

import static io.pgwarden.core.protocol.CodecAssertions.TYPED_HEADER;
import static io.pgwarden.core.protocol.CodecAssertions.assertIllegalArgument;
import static io.pgwarden.core.protocol.CodecAssertions.assertMessage;
import static io.pgwarden.core.protocol.CodecAssertions.assertOpenEndedMessage;
import static io.pgwarden.core.protocol.CodecAssertions.decodeRejects;
import static io.pgwarden.core.protocol.WireBytes.wire;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The {@code 'p'} family: PasswordMessage, SASLInitialResponse, SASLResponse, GSSResponse. */
class AuthenticationResponsesTest {

    @Test
    void passwordMessageIsAStringWithTerminator() {
        PasswordMessage message = new PasswordMessage("s3cret".getBytes(StandardCharsets.UTF_8));
        byte[] expected = wire().type('p').int32(11).string("s3cret").toArray();
        assertMessage(message, PasswordMessage::encode, PasswordMessage::decode, expected);
    }

    @Test
    void passwordMessageNeverPrintsThePassword() {
        assertThat(new PasswordMessage("hunter2".getBytes(StandardCharsets.UTF_8)).toString())
                .doesNotContain("hunter2");
    }

    @Test
    void passwordMessageRefusesNulInPassword() {
        assertIllegalArgument(() -> new PasswordMessage(new byte[] {'a', 0, 'b'}).encode(Unpooled.buffer()));
    }

    @Test
    void saslInitialResponseWithData() {
        byte[] data = "n,,n=,r=abc".getBytes(StandardCharsets.UTF_8);
        SaslInitialResponse message = new SaslInitialResponse("SCRAM-SHA-256", data);
        byte[] expected = wire().type('p').int32(4 + 14 + 4 + 11)
                .string("SCRAM-SHA-256").int32(11).bytes(data).toArray();
        assertMessage(message, SaslInitialResponse::encode, SaslInitialResponse::decode, expected);
        assertThat(message.toString()).doesNotContain("r=abc");
    }

    @Test
    void saslInitialResponseWithoutDataHasLengthMinusOne() {
        SaslInitialResponse message = new SaslInitialResponse("OAUTHBEARER", null);
        byte[] expected = wire().type('p').int32(4 + 12 + 4).string("OAUTHBEARER").int32(-1).toArray();
        assertMessage(message, SaslInitialResponse::encode, SaslInitialResponse::decode, expected);
    }

    @Test
    void saslInitialResponseRejectsNegativeLengthOtherThanMinusOne() {
        decodeRejects(wire().string("SCRAM-SHA-256").int32(-2).toArray(), SaslInitialResponse::decode);
        decodeRejects(wire().string("SCRAM-SHA-256").int32(0x7fffffff).toArray(), SaslInitialResponse::decode);
    }

    @Test
    void saslResponseIsRawData() {
        byte[] data = "c=biws,r=abc,p=xyz".getBytes(StandardCharsets.UTF_8);
        SaslResponse message = new SaslResponse(data);
        byte[] expected = wire().type('p').int32(4 + data.length).bytes(data).toArray();
        assertOpenEndedMessage(message, SaslResponse::encode, SaslResponse::decode, expected, TYPED_HEADER);
        assertThat(message.toString()).doesNotContain("p=xyz");
    }

    @Test
    void gssResponseIsRawData() {
        GssResponse message = new GssResponse(new byte[] {0x60, 0x00, 0x05});
        byte[] expected = wire().type('p').int32(7).bytes(0x60, 0x00, 0x05).toArray();
        assertOpenEndedMessage(message, GssResponse::encode, GssResponse::decode, expected, TYPED_HEADER);
    }
}
