package io.pgwarden.plugin.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class JsonBytesTest {

    /** What a JSON string was before the renderer wrote bytes: escaped in a String, then encoded by the JDK. */
    private static byte[] reference(String value) {
        StringBuilder out = new StringBuilder().append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20 || c == '\u2028' || c == '\u2029') {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString().getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] quoted(String value) {
        JsonBytes out = new JsonBytes();
        out.quoted(value);
        return Arrays.copyOf(out.array(), out.length());
    }

    @Test
    void quotesEveryKindOfCharacterAsTheJdkEncodesTheEscapedText() {
        List<String> values = List.of("", "plain ascii", "quote \" backslash \\ slash /", "\n\r\t\b\f\u0000\u0001\u001f\u007f",
                "zoë ß ÿ", "€ ☃ 中文", "\u2028 and \u2029", "emoji 😀 pair", "lone high \ud83d end", "lone low \ude00 end",
                "high at end \ud83d", "\ude00\ud83d reversed", "\uffff\u0800\u07ff\u0080");
        for (String value : values) {
            assertThat(quoted(value)).as(value).isEqualTo(reference(value));
        }
    }

    @Test
    void randomTextsMatchTheReference() {
        Random random = new Random(20261122);
        char[] pool = {'a', 'Z', '0', ' ', '"', '\\', '\n', '\t', '\u0001', '\u001f', '\u007f', '\u0080', 'é', '\u07ff',
            '\u0800', '€', '\u2028', '\u2029', '\ud83d', '\ude00', '\udbff', '\udfff', '\ufffd', '\uffff'};
        for (int round = 0; round < 2_000; round++) {
            char[] text = new char[random.nextInt(40)];
            for (int i = 0; i < text.length; i++) {
                text[i] = random.nextInt(3) == 0 ? (char) random.nextInt(0x10000) : pool[random.nextInt(pool.length)];
            }
            String value = new String(text);
            assertThat(quoted(value)).as("round %d", round).isEqualTo(reference(value));
        }
    }

    @Test
    void numbersAreTheirDecimalDigits() {
        JsonBytes out = new JsonBytes();
        for (long value : new long[] {0, 7, 9, 10, 99, 100, 12_345, Integer.MAX_VALUE, Long.MAX_VALUE, -1, -10, Long.MIN_VALUE}) {
            out.clear();
            out.number(value);
            assertThat(out.toString()).isEqualTo(Long.toString(value));
        }
    }

    @Test
    void growsPastItsFirstSizeAndKeepsWhatWasWritten() {
        JsonBytes out = new JsonBytes();
        out.ascii("{\"text\":");
        String long1 = "é".repeat(5_000);
        out.quoted(long1);
        out.ascii('}');
        assertThat(out.toString()).isEqualTo("{\"text\":\"" + long1 + "\"}");
        assertThat(out.length()).isEqualTo(8 + 2 + 10_000 + 1);
    }

    @Test
    void growsWithWhatItWritesAndNotBySixTimesTheText() {
        String wide = "\u0001".repeat(5_000) + "😀 é € \u2028".repeat(3_000) + "\ud83d";
        assertThat(quoted(wide)).as("growing in the middle of escapes and pairs").isEqualTo(reference(wide));

        JsonBytes out = new JsonBytes();
        out.quoted("a".repeat(100_000));
        assertThat(out.length()).isEqualTo(100_002);
        assertThat(out.array().length).as("the buffer a plain text leaves").isLessThan(2 * 100_002);
    }

    @Test
    void aPieceCopiedOutCanBeAppendedAgainAfterTruncating() {
        JsonBytes out = new JsonBytes();
        out.ascii("\"a\":1");
        int start = out.length();
        out.ascii(",\"b\":");
        out.quoted("ü");
        byte[] piece = out.copyFrom(start);
        out.truncate(start);
        assertThat(out.toString()).isEqualTo("\"a\":1");
        out.append(piece);
        out.append(piece);
        assertThat(out.toString()).isEqualTo("\"a\":1,\"b\":\"ü\",\"b\":\"ü\"");

        assertThatThrownBy(() -> out.truncate(out.length() + 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> out.truncate(-1)).isInstanceOf(IllegalArgumentException.class);
    }
}
