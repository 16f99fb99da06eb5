package io.pgwarden.plugin.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class SqlTextTest {

    private static String normalized(String sql) {
        List<SqlText.Statement> statements = SqlText.statements(sql);
        assertThat(statements).hasSize(1);
        return statements.get(0).normalized();
    }

    @Test
    void passwordLiteralNeverSurvives() {
        assertThat(normalized("ALTER ROLE x PASSWORD 'secret'")).isEqualTo("ALTER ROLE x PASSWORD ?");
        assertThat(normalized("alter role x with password E'se\\'cr''et'")).isEqualTo("alter role x with password ?");
        assertThat(normalized("CREATE ROLE y PASSWORD $pw$ secret; $ $pw$")).isEqualTo("CREATE ROLE y PASSWORD ?");
        assertThat(normalized("ALTER ROLE x PASSWORD 'it''s secret'")).doesNotContain("secret");
    }

    @Test
    void everyKindOfLiteralBecomesAPlaceholder() {
        assertThat(normalized("SELECT 1, 2.5, .5e-3, 0x1F, 1_000 FROM t")).isEqualTo("SELECT ?, ?, ?, ?, ? FROM t");
        assertThat(normalized("SELECT B'101', X'ff', N'n', U&'d\\0061t', e'x', $$dollar$$")).isEqualTo("SELECT ?, ?, ?, ?, ?, ?");
        assertThat(normalized("SELECT -1")).isEqualTo("SELECT -?");
    }

    @Test
    void identifiersParametersAndQuotedNamesStay() {
        assertThat(normalized("SELECT t1.c2, \"Weird ''x'' 1\" FROM s3.t4 WHERE a = $1 AND b = $2"))
                .isEqualTo("SELECT t1.c2, \"Weird ''x'' 1\" FROM s3.t4 WHERE a = $1 AND b = $2");
        assertThat(normalized("SELECT e, b, x, n FROM u")).isEqualTo("SELECT e, b, x, n FROM u");
        assertThat(normalized("SELECT a$b, c$$ FROM t")).isEqualTo("SELECT a$b, c$$ FROM t");
    }

    @Test
    void commentsGoAndWhitespaceCollapses() {
        assertThat(normalized("  SELECT\t a -- 'secret' here\n  FROM /* outer /* 'nested' */ x */ t  "))
                .isEqualTo("SELECT a FROM t");
    }

    @Test
    void identicalStatementsGroupWhateverTheirLiterals() {
        assertThat(normalized("SELECT * FROM t WHERE id = 42 AND name = 'bob'"))
                .isEqualTo(normalized("SELECT  *  FROM t WHERE id = 7 AND name = 'alice'"));
    }

    @Test
    void unterminatedLiteralsAndCommentsSwallowTheRest() {
        assertThat(normalized("SELECT 'secret")).isEqualTo("SELECT ?");
        assertThat(normalized("SELECT $q$ secret")).isEqualTo("SELECT ?");
        assertThat(normalized("SELECT 1 /* secret")).isEqualTo("SELECT ?");
        assertThat(normalized("SELECT E'secret\\")).isEqualTo("SELECT ?");
        assertThat(normalized("ALTER ROLE \"x PASSWORD 'secret'")).isEqualTo("ALTER ROLE ?");
    }

    @Test
    void queryStringsSplitAtTopLevelSemicolonsOnly() {
        List<SqlText.Statement> statements = SqlText.statements("SELECT ';'; ; INSERT INTO t VALUES ($$;$$) ;-- done;\n");

        assertThat(statements).extracting(SqlText.Statement::normalized).containsExactly("SELECT ?", "INSERT INTO t VALUES (?)");
        assertThat(statements).extracting(SqlText.Statement::raw).containsExactly("SELECT ';'", "INSERT INTO t VALUES ($$;$$)");
        assertThat(SqlText.statements("DO $fn$ BEGIN; $f; $fn; END $fn$; SELECT 1")).hasSize(2);
        assertThat(SqlText.statements(" ; -- nothing\n")).isEmpty();
        assertThat(SqlText.statements("")).isEmpty();
    }

    @Test
    void statementPicksByIndexAndStaysInRange() {
        assertThat(SqlText.statement(SqlText.statements("SELECT 1; SELECT 'b'"), 1).normalized()).isEqualTo("SELECT ?");
        assertThat(SqlText.statement(SqlText.statements("SELECT 1; UPDATE t SET a = 2"), 5).normalized()).isEqualTo("UPDATE t SET a = ?");
        assertThat(SqlText.statement(SqlText.statements(""), 0).normalized()).isEmpty();
    }
}
