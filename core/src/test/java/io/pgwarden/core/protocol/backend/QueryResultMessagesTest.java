package io.pgwarden.core.protocol.backend;

import static io.pgwarden.core.protocol.CodecAssertions.assertMessage;
import static io.pgwarden.core.protocol.CodecAssertions.decodeRejects;
import static io.pgwarden.core.protocol.WireBytes.wire;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** RowDescription, DataRow, CommandComplete. */
class QueryResultMessagesTest {

    @Test
    void rowDescriptionWritesEveryAttributeOfEachField() {
        RowDescription description = new RowDescription(List.of(
                new RowDescription.Field("id", 16384, (short) 1, 23, (short) 4, -1, (short) 0),
                new RowDescription.Field("name", 0, (short) 0, 25, (short) -1, -1, (short) 1)));
        byte[] expected = wire().type('T').int32(4 + 2 + (3 + 18) + (5 + 18)).int16(2)
                .string("id").int32(16384).int16(1).int32(23).int16(4).int32(-1).int16(0)
                .string("name").int32(0).int16(0).int32(25).int16(-1).int32(-1).int16(1)
                .toArray();
        assertMessage(description, RowDescription::encode, RowDescription::decode, expected);
    }

    @Test
    void rowDescriptionTextFieldHasNoTable() {
        assertThat(RowDescription.Field.text("database", 25, (short) -1))
                .isEqualTo(new RowDescription.Field("database", 0, (short) 0, 25, (short) -1, -1, (short) 0));
    }

    @Test
    void rowDescriptionRejectsCountBeyondTheBody() {
        assertThat(decodeRejects(wire().int16(2).string("id").int32(0).int16(0).int32(23).int16(4).int32(-1)
                .int16(0).toArray(), RowDescription::decode)).hasMessageContaining("RowDescription");
        decodeRejects(wire().int16(-1).toArray(), RowDescription::decode);
    }

    @Test
    void dataRowWritesLengthPrefixedValuesAndNulls() {
        DataRow row = new DataRow(Arrays.asList("42".getBytes(StandardCharsets.UTF_8), null, new byte[0]));
        byte[] expected = wire().type('D').int32(4 + 2 + 6 + 4 + 4).int16(3)
                .int32(2).text("42").int32(-1).int32(0).toArray();
        assertMessage(row, DataRow::encode, DataRow::decode, expected);
        assertThat(DataRow.ofText("42", null, "")).isEqualTo(row);
    }

    @Test
    void dataRowRejectsBadLengths() {
        decodeRejects(wire().int16(1).int32(-2).toArray(), DataRow::decode);
        decodeRejects(wire().int16(1).int32(5).text("abc").toArray(), DataRow::decode);
        decodeRejects(wire().int16(1).int32(0x7fffffff).text("abc").toArray(), DataRow::decode);
        decodeRejects(wire().int16(0xffff).int32(0).toArray(), DataRow::decode);
    }

    @Test
    void dataRowEqualityComparesContents() {
        assertThat(DataRow.ofText("a")).isEqualTo(DataRow.ofText("a")).hasSameHashCodeAs(DataRow.ofText("a"));
        assertThat(DataRow.ofText("a")).isNotEqualTo(DataRow.ofText("b"));
        assertThat(DataRow.ofText("secret").toString()).doesNotContain("secret");
    }

    @Test
    void commandCompleteIsTheTag() {
        byte[] expected = wire().type('C').int32(4 + 9).string("SELECT 3").toArray();
        assertMessage(new CommandComplete("SELECT 3"), CommandComplete::encode, CommandComplete::decode, expected);
    }
}
