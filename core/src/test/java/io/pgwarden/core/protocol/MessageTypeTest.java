package io.pgwarden.core.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MessageTypeTest {

    @Test
    void sameByteHasDifferentNamesPerDirection() {
        assertThat(MessageType.frontendName((byte) 'D')).isEqualTo("Describe");
        assertThat(MessageType.backendName((byte) 'D')).isEqualTo("DataRow");
        assertThat(MessageType.frontendName((byte) 'S')).isEqualTo("Sync");
        assertThat(MessageType.backendName((byte) 'S')).isEqualTo("ParameterStatus");
        assertThat(MessageType.frontendName((byte) 'H')).isEqualTo("Flush");
        assertThat(MessageType.backendName((byte) 'H')).isEqualTo("CopyOutResponse");
    }

    @Test
    void namesFollowTheProtocolDocumentation() {
        assertThat(MessageType.frontendName(MessageType.QUERY)).isEqualTo("Query");
        assertThat(MessageType.frontendName(MessageType.PASSWORD_MESSAGE)).isEqualTo("PasswordMessage");
        assertThat(MessageType.frontendName(MessageType.COPY_DATA)).isEqualTo("CopyData");
        assertThat(MessageType.backendName(MessageType.READY_FOR_QUERY)).isEqualTo("ReadyForQuery");
        assertThat(MessageType.backendName(MessageType.NEGOTIATE_PROTOCOL_VERSION))
                .isEqualTo("NegotiateProtocolVersion");
        assertThat(MessageType.backendName(MessageType.PARSE_COMPLETE)).isEqualTo("ParseComplete");
    }

    @Test
    void unknownBytesAreNamedSafely() {
        assertThat(MessageType.frontendName((byte) 'x')).isEqualTo("Unknown('x')");
        assertThat(MessageType.backendName((byte) 'Q')).isEqualTo("Unknown('Q')");
        assertThat(MessageType.backendName((byte) 0)).isEqualTo("Unknown(0x00)");
        assertThat(MessageType.frontendName((byte) 0xff)).isEqualTo("Unknown(0xff)");
    }
}
