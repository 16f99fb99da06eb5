package io.pgwarden.core.protocol.backend;

import static io.pgwarden.core.protocol.CodecAssertions.assertIllegalArgument;
import static io.pgwarden.core.protocol.CodecAssertions.assertMessage;
import static io.pgwarden.core.protocol.CodecAssertions.decodeRejects;
import static io.pgwarden.core.protocol.WireBytes.wire;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** ErrorResponse and NoticeResponse share their field layout. */
class ErrorResponseTest {

    @Test
    void fatalWritesSeverityTwiceThenCodeAndMessage() {
        ErrorResponse error = ErrorResponse.fatal("28P01", "password authentication failed for user \"a\"");
        byte[] expected = wire().type('E').int32(4 + 7 + 7 + 7 + 45 + 1)
                .type('S').string("FATAL")
                .type('V').string("FATAL")
                .type('C').string("28P01")
                .type('M').string("password authentication failed for user \"a\"")
                .int8(0)
                .toArray();
        assertMessage(error, ErrorResponse::encode, ErrorResponse::decode, expected);
        assertThat(error.severity()).isEqualTo("FATAL");
        assertThat(error.sqlState()).isEqualTo("28P01");
        assertThat(error.message()).isEqualTo("password authentication failed for user \"a\"");
        assertThat(error.hint()).isNull();
    }

    @Test
    void errorWithDetailAndHintAppendsThemInOrder() {
        ErrorResponse error = ErrorResponse.error("42501", "denied").withDetail("why").withHint("ask");
        byte[] expected = wire().type('E').int32(4 + 7 + 7 + 7 + 8 + 5 + 5 + 1)
                .type('S').string("ERROR")
                .type('V').string("ERROR")
                .type('C').string("42501")
                .type('M').string("denied")
                .type('D').string("why")
                .type('H').string("ask")
                .int8(0)
                .toArray();
        assertMessage(error, ErrorResponse::encode, ErrorResponse::decode, expected);
        assertThat(error.detail()).isEqualTo("why");
        assertThat(error.hint()).isEqualTo("ask");
    }

    @Test
    void decodeKeepsUnknownFieldsAndServerOrder() {
        byte[] payload = wire().type('S').string("ERREUR").type('V').string("ERROR").type('C').string("42P01")
                .type('M').string("relation does not exist").type('P').string("15").type('Z').string("future")
                .int8(0).toArray();
        ErrorResponse error = decode(payload);
        assertThat(error.fields().keySet()).containsExactly('S', 'V', 'C', 'M', 'P', 'Z');
        assertThat(error.severity()).isEqualTo("ERROR");
        assertThat(error.fields().get('Z')).isEqualTo("future");
    }

    @Test
    void severityFallsBackToLocalizedField() {
        Map<Character, String> fields = new LinkedHashMap<>();
        fields.put('S', "FATAL");
        assertThat(new ErrorResponse(fields).severity()).isEqualTo("FATAL");
    }

    @Test
    void rejectsMissingTerminators() {
        decodeRejects(wire().type('S').string("ERROR").toArray(), ErrorResponse::decode);
        decodeRejects(wire().type('S').text("ERROR").toArray(), ErrorResponse::decode);
        decodeRejects(new byte[0], NoticeResponse::decode);
    }

    @Test
    void refusesFieldsThatCannotBeEncoded() {
        assertIllegalArgument(() -> new ErrorResponse(Map.of('\0', "x")));
        assertIllegalArgument(() -> new ErrorResponse(Map.of('\u0100', "x")));
        assertIllegalArgument(() -> ErrorResponse.error("XX000", "a\0b").encode(Unpooled.buffer()));
    }

    @Test
    void noticeUsesTypeN() {
        NoticeResponse notice = NoticeResponse.warning("01000", "careful").withHint("h");
        byte[] expected = wire().type('N').int32(4 + 9 + 9 + 7 + 9 + 3 + 1)
                .type('S').string("WARNING")
                .type('V').string("WARNING")
                .type('C').string("01000")
                .type('M').string("careful")
                .type('H').string("h")
                .int8(0)
                .toArray();
        assertMessage(notice, NoticeResponse::encode, NoticeResponse::decode, expected);
        assertThat(notice.severity()).isEqualTo("WARNING");
        assertThat(notice.hint()).isEqualTo("h");
        assertThat(NoticeResponse.notice("00000", "n").severity()).isEqualTo("NOTICE");
    }

    private static ErrorResponse decode(byte[] payload) {
        var in = Unpooled.wrappedBuffer(payload);
        try {
            return ErrorResponse.decode(in);
        } finally {
            in.release();
        }
    }
}
