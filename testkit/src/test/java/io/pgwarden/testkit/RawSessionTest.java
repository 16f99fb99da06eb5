package io.pgwarden.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class RawSessionTest {

    private static RawMessage dataRow(String... values) {
        ByteBuffer body = ByteBuffer.allocate(256).putShort((short) values.length);
        for (String value : values) {
            if (value == null) {
                body.putInt(-1);
            } else {
                byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
                body.putInt(bytes.length).put(bytes);
            }
        }
        byte[] bytes = new byte[body.position()];
        body.flip().get(bytes);
        return new RawMessage('D', bytes);
    }

    @Test
    void firstColumnIsDecodedAsUtf8() {
        assertThat(RawSession.firstColumn(dataRow("größe", "second"))).isEqualTo("größe");
    }

    @Test
    void nullColumnIsNull() {
        assertThat(RawSession.firstColumn(dataRow((String) null))).isNull();
    }

    @Test
    void emptyColumnIsEmpty() {
        assertThat(RawSession.firstColumn(dataRow(""))).isEmpty();
    }

    @Test
    void rowWithoutColumnsIsAnError() {
        assertThatThrownBy(() -> RawSession.firstColumn(dataRow())).isInstanceOf(AssertionError.class);
    }

    @Test
    void otherMessagesAreRefused() {
        assertThatThrownBy(() -> RawSession.firstColumn(new RawMessage('Z', new byte[] {'I'})))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void transactionStatusIsTheLastReadyForQuerys() {
        assertThat(RawSession.transactionStatus(List.of(dataRow("1"), new RawMessage('Z', new byte[] {'T'}))))
                .isEqualTo('T');
    }
}
