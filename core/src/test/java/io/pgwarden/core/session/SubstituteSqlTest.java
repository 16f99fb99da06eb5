package io.pgwarden.core.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgwarden.spi.StatementResult;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class SubstituteSqlTest {

    @Test
    void literalsEscapeQuotesAndBackslashesWhateverTheSessionSettings() {
        assertThat(SubstituteSql.literal("it's a \\ test")).isEqualTo("E'it\\'s a \\\\ test'");
        assertThat(SubstituteSql.literal(null)).isEqualTo("NULL");
        assertThatThrownBy(() -> SubstituteSql.literal("a\0b")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void identifiersDoubleTheirQuotes() {
        assertThat(SubstituteSql.identifier("we\"ird")).isEqualTo("\"we\"\"ird\"");
    }

    @Test
    void responseWithRowsSelectsTextValues() {
        StatementResult result = new StatementResult(List.of("a", "b"), List.of(List.of("1", "x'y"), Arrays.asList(null, "z")), "SELECT 2");
        assertThat(SubstituteSql.response(result)).isEqualTo(
                "SELECT * FROM (VALUES (E'1'::text, E'x\\'y'::text), (NULL::text, E'z'::text)) AS pgwarden_result(\"a\", \"b\")");
    }

    @Test
    void responseWithoutColumnsRunsAnEmptyBlock() {
        assertThat(SubstituteSql.response(StatementResult.command("SET"))).startsWith("DO ");
    }

    @Test
    void tokensDiffer() {
        assertThat(SubstituteSql.token()).isNotEqualTo(SubstituteSql.token()).startsWith("pgwarden-rejected-");
    }
}
