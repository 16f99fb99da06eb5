package io.pgwarden.core.protocol.backend;

import static io.pgwarden.core.protocol.CodecAssertions.TYPED_HEADER;
import static io.pgwarden.core.protocol.CodecAssertions.assertIllegalArgument;
import static io.pgwarden.core.protocol.CodecAssertions.assertMessage;
import static io.pgwarden.core.protocol.CodecAssertions.assertOpenEndedMessage;
import static io.pgwarden.core.protocol.CodecAssertions.decodeRejects;
import static io.pgwarden.core.protocol.WireBytes.wire;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class AuthenticationTest {

    @Test
    void okIsCodeZero() {
        assertMessage(AuthenticationOk.INSTANCE, AuthenticationOk::encode, Authentication::decode,
                wire().type('R').int32(8).int32(0).toArray());
    }

    @Test
    void kerberosV5IsCodeTwo() {
        assertMessage(AuthenticationKerberosV5.INSTANCE, AuthenticationKerberosV5::encode,
                Authentication::decode, wire().type('R').int32(8).int32(2).toArray());
    }

    @Test
    void cleartextPasswordIsCodeThree() {
        assertMessage(AuthenticationCleartextPassword.INSTANCE, AuthenticationCleartextPassword::encode,
                Authentication::decode, wire().type('R').int32(8).int32(3).toArray());
    }

    @Test
    void md5PasswordCarriesFourByteSalt() {
        AuthenticationMD5Password message = new AuthenticationMD5Password(new byte[] {9, 8, 7, 6});
        assertMessage(message, AuthenticationMD5Password::encode, Authentication::decode,
                wire().type('R').int32(12).int32(5).bytes(9, 8, 7, 6).toArray());
        assertIllegalArgument(() -> new AuthenticationMD5Password(new byte[3]));
    }

    @Test
    void gssIsCodeSeven() {
        assertMessage(AuthenticationGSS.INSTANCE, AuthenticationGSS::encode, Authentication::decode,
                wire().type('R').int32(8).int32(7).toArray());
    }

    @Test
    void gssContinueCarriesData() {
        AuthenticationGSSContinue message = new AuthenticationGSSContinue(new byte[] {1, 2, 3});
        assertOpenEndedMessage(message, AuthenticationGSSContinue::encode, Authentication::decode,
                wire().type('R').int32(11).int32(8).bytes(1, 2, 3).toArray(), TYPED_HEADER);
    }

    @Test
    void sspiIsCodeNine() {
        assertMessage(AuthenticationSSPI.INSTANCE, AuthenticationSSPI::encode, Authentication::decode,
                wire().type('R').int32(8).int32(9).toArray());
    }

    @Test
    void saslListsMechanismsWithTerminator() {
        AuthenticationSASL message = new AuthenticationSASL(List.of("SCRAM-SHA-256-PLUS", "SCRAM-SHA-256"));
        byte[] expected = wire().type('R').int32(4 + 4 + 19 + 14 + 1).int32(10)
                .string("SCRAM-SHA-256-PLUS").string("SCRAM-SHA-256").int8(0).toArray();
        assertMessage(message, AuthenticationSASL::encode, Authentication::decode, expected);
        assertThat(message.authenticationCode()).isEqualTo(Authentication.SASL);
    }

    @Test
    void saslContinueCarriesServerFirstMessage() {
        byte[] data = "r=abc,s=c2FsdA==,i=4096".getBytes(StandardCharsets.UTF_8);
        AuthenticationSASLContinue message = new AuthenticationSASLContinue(data);
        assertOpenEndedMessage(message, AuthenticationSASLContinue::encode, Authentication::decode,
                wire().type('R').int32(8 + data.length).int32(11).bytes(data).toArray(), TYPED_HEADER);
    }

    @Test
    void saslFinalCarriesServerFinalMessage() {
        byte[] data = "v=c2lnbmF0dXJl".getBytes(StandardCharsets.UTF_8);
        AuthenticationSASLFinal message = new AuthenticationSASLFinal(data);
        assertOpenEndedMessage(message, AuthenticationSASLFinal::encode, Authentication::decode,
                wire().type('R').int32(8 + data.length).int32(12).bytes(data).toArray(), TYPED_HEADER);
    }

    @Test
    void unknownCodeIsRejected() {
        assertThat(decodeRejects(wire().int32(6).toArray(), Authentication::decode))
                .hasMessageContaining("Authentication").hasMessageContaining("6");
    }

    @Test
    void subtypesWithoutDataRejectTrailingBytes() {
        decodeRejects(wire().int32(0).int8(0).toArray(), Authentication::decode);
        decodeRejects(wire().int32(5).bytes(1, 2, 3, 4, 5).toArray(), Authentication::decode);
        decodeRejects(wire().int32(10).string("SCRAM-SHA-256").int8(0).int8(1).toArray(), Authentication::decode);
    }
}
