package io.pgwarden.core.protocol.frontend;

import static io.pgwarden.core.protocol.CodecAssertions.assertIllegalArgument;
import static io.pgwarden.core.protocol.CodecAssertions.assertMessage;
import static io.pgwarden.core.protocol.CodecAssertions.decodeRejects;
import static io.pgwarden.core.protocol.WireBytes.wire;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Parse, Bind, Describe, Execute, Close. */
class ExtendedQueryMessagesTest {

    @Test
    void parseWritesNamesQueryAndParameterTypes() {
        Parse parse = new Parse("s1", "select $1, $2", List.of(23, 0));
        byte[] expected = wire().type('P').int32(4 + 3 + 14 + 2 + 8)
                .string("s1").string("select $1, $2").int16(2).int32(23).int32(0).toArray();
        assertMessage(parse, Parse::encode, Parse::decode, expected);
    }

    @Test
    void parseUnnamedWithoutTypes() {
        byte[] expected = wire().type('P').int32(4 + 1 + 9 + 2).string("").string("select 1").int16(0).toArray();
        assertMessage(new Parse("", "select 1", List.of()), Parse::encode, Parse::decode, expected);
    }

    @Test
    void parseRejectsMoreTypesThanBytes() {
        decodeRejects(wire().string("").string("select 1").int16(3).int32(23).toArray(), Parse::decode);
    }

    @Test
    void bindWritesFormatsValuesAndResultFormats() {
        Bind bind = new Bind("p1", "s1", List.of((short) 1),
                Arrays.asList(new byte[] {0, 0, 0, 42}, null, "x".getBytes(StandardCharsets.UTF_8)),
                List.of((short) 0, (short) 1));
        byte[] expected = wire().type('B').int32(4 + 3 + 3 + (2 + 2) + 2 + (8 + 4 + 5) + (2 + 4))
                .string("p1").string("s1")
                .int16(1).int16(1)
                .int16(3).int32(4).bytes(0, 0, 0, 42).int32(-1).int32(1).text("x")
                .int16(2).int16(0).int16(1)
                .toArray();
        assertMessage(bind, Bind::encode, Bind::decode, expected);
        assertThat(bind.toString()).contains("3 values");
    }

    @Test
    void bindOfUnnamedPortalWithoutParameters() {
        Bind bind = new Bind("", "", List.of(), List.of(), List.of());
        byte[] expected = wire().type('B').int32(4 + 1 + 1 + 2 + 2 + 2)
                .string("").string("").int16(0).int16(0).int16(0).toArray();
        assertMessage(bind, Bind::encode, Bind::decode, expected);
    }

    @Test
    void bindRejectsLyingValueLengthsAndCounts() {
        decodeRejects(wire().string("").string("").int16(0).int16(1).int32(-7).int16(0).toArray(), Bind::decode);
        decodeRejects(wire().string("").string("").int16(0).int16(1).int32(100).int16(0).toArray(), Bind::decode);
        decodeRejects(wire().string("").string("").int16(0x7fff).int16(0).int16(0).toArray(), Bind::decode);
        decodeRejects(wire().string("").string("").int16(0).int16(0xffff).int16(0).toArray(), Bind::decode);
    }

    @Test
    void describeStatementAndPortal() {
        assertMessage(Describe.statement("s1"), Describe::encode, Describe::decode,
                wire().type('D').int32(4 + 1 + 3).type('S').string("s1").toArray());
        assertMessage(Describe.portal(""), Describe::encode, Describe::decode,
                wire().type('D').int32(4 + 1 + 1).type('P').string("").toArray());
    }

    @Test
    void closeStatementAndPortal() {
        assertMessage(Close.statement("s1"), Close::encode, Close::decode,
                wire().type('C').int32(4 + 1 + 3).type('S').string("s1").toArray());
        assertMessage(Close.portal("p"), Close::encode, Close::decode,
                wire().type('C').int32(4 + 1 + 2).type('P').string("p").toArray());
    }

    @Test
    void describeAndCloseRejectUnknownTarget() {
        assertThat(decodeRejects(wire().type('X').string("s").toArray(), Describe::decode))
                .hasMessageContaining("Describe");
        assertThat(decodeRejects(wire().type('s').string("s").toArray(), Close::decode))
                .hasMessageContaining("Close");
        assertIllegalArgument(() -> new Describe('X', ""));
    }

    @Test
    void executeWritesPortalAndRowLimit() {
        assertMessage(new Execute("", 0), Execute::encode, Execute::decode,
                wire().type('E').int32(4 + 1 + 4).string("").int32(0).toArray());
        assertMessage(new Execute("c1", 100), Execute::encode, Execute::decode,
                wire().type('E').int32(4 + 3 + 4).string("c1").int32(100).toArray());
    }
}
