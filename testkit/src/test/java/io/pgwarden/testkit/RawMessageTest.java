package io.pgwarden.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class RawMessageTest {

    private static RawMessage error(String fields) {
        return new RawMessage('E', (fields.replace('|', '\0') + "\0").getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void errorFieldsAreDecodedByCode() {
        RawMessage message = error("SFATAL|VFATAL|C28P01|Mpassword authentication failed for user \"x\"|");

        assertThat(message.sqlState()).isEqualTo("28P01");
        assertThat(message.severity()).isEqualTo("FATAL");
        assertThat(message.message()).isEqualTo("password authentication failed for user \"x\"");
        assertThat(message.errorField('H')).isNull();
    }

    @Test
    void severityFallsBackToTheLocalizedField() {
        assertThat(error("SERREUR|C42601|Mx|").severity()).isEqualTo("ERREUR");
    }

    @Test
    void fieldWithoutTerminatorIsRejected() {
        RawMessage truncated = new RawMessage('E', "C28P01".getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(truncated::sqlState).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void fieldsOfANonErrorMessageAreRefused() {
        assertThatThrownBy(() -> new RawMessage('Z', new byte[] {'I'}).sqlState())
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void readyForQueryStatusAndInt32AreRead() {
        assertThat(new RawMessage('Z', new byte[] {'T'}).transactionStatus()).isEqualTo('T');
        assertThat(new RawMessage('R', new byte[] {0, 0, 0, 10}).int32At(0)).isEqualTo(10);
    }
}
