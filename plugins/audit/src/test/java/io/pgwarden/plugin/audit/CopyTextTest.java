package io.pgwarden.plugin.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class CopyTextTest {

    private static final byte[] KEY = "copy-text-test-key-0123456789".getBytes(StandardCharsets.UTF_8);

    /** Undoes the text format's escapes of one value, as PostgreSQL's COPY FROM does. */
    private static String unescape(String value) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c != '\\') {
                out.append(c);
                continue;
            }
            char next = value.charAt(++i);
            out.append(switch (next) {
                case 't' -> '\t';
                case 'n' -> '\n';
                case 'r' -> '\r';
                default -> next;
            });
        }
        return out.toString();
    }

    @Test
    void escapesBackslashesTabsNewlinesAndCarriageReturnsOnly() {
        String value = "a\\b\tc\nd\re \"quoted\" 'single' zoë 東京 🎉";
        String escaped = CopyText.escape(new StringBuilder(), value).toString();

        assertThat(escaped).isEqualTo("a\\\\b\\tc\\nd\\re \"quoted\" 'single' zoë 東京 🎉");
        assertThat(escaped).doesNotContain("\t", "\n", "\r");
        assertThat(unescape(escaped)).isEqualTo(value);
    }

    @Test
    void aRowHoldsStreamSeqTimeTypeAndTheRecordExactly() {
        RecordChain chain = new RecordChain(1000, 60_000, KEY);
        String header = chain.header(0, "s1");
        String record = chain.record("\"type\":\"statement\",\"time\":\"2026-11-21T14:00:00.123Z\",\"text\":"
                + "\"SELECT '\\\\t\\tx\\n' AS \\\"q\\\", 'zoë'\"}");

        String rows = CopyText.rows("s1", List.of(header, record));

        String[] lines = rows.split("\n", -1);
        assertThat(lines).hasSize(3);
        assertThat(lines[2]).isEmpty();
        String[] columns = lines[1].split("\t", -1);
        assertThat(columns).hasSize(5);
        assertThat(columns[0]).isEqualTo("s1");
        assertThat(columns[1]).isEqualTo("1");
        assertThat(columns[2]).isEqualTo("2026-11-21T14:00:00.123Z");
        assertThat(columns[3]).isEqualTo("statement");
        assertThat(unescape(columns[4])).isEqualTo(record);
        assertThat(lines[0].split("\t")[3]).isEqualTo("header");
    }

    @Test
    void somethingThatIsNotAChainedRecordIsRefused() {
        assertThatThrownBy(() -> CopyText.rows("s", List.of("{\"type\":\"statement\"}")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> CopyText.seq("garbage")).isInstanceOf(IllegalArgumentException.class);
        assertThat(CopyText.seq(new RecordChain(1, 1, KEY).header(0, "s"))).isZero();
    }
}
