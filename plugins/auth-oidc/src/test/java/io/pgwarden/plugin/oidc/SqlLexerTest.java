package io.pgwarden.plugin.oidc;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgwarden.plugin.oidc.SqlLexer.Token;
import io.pgwarden.plugin.oidc.SqlLexer.Type;
import java.util.List;
import org.junit.jupiter.api.Test;

class SqlLexerTest {

    private static List<Token> tokens(String sql) {
        return SqlLexer.tokenize(sql, true).tokens();
    }

    @Test
    void wordsAreFoldedToLowerCaseByAsciiLettersOnly() {
        assertThat(tokens("SeLeCt Role")).extracting(Token::text).containsExactly("select", "role");
        // The Kelvin sign folds to k in Java, never in PostgreSQL.
        assertThat(tokens("\u212Aey")).extracting(Token::text).containsExactly("\u212Aey");
    }

    @Test
    void quotedIdentifiersKeepTheirCaseAndDoubledQuotes() {
        assertThat(tokens("\"Ro\"\"le\"")).containsExactly(new Token(Type.IDENT, "Ro\"le", false));
    }

    @Test
    void commentsAreDroppedAndBlockCommentsNest() {
        assertThat(tokens("a /* x /* y */ still */ b -- c\nd")).extracting(Token::text).containsExactly("a", "b", "d");
        assertThat(tokens("a /* /* unterminated */ b")).extracting(Token::text).containsExactly("a");
        assertThat(tokens("a +-- c\n b")).extracting(Token::text).containsExactly("a", "+", "b");
    }

    @Test
    void standardStringsDoubleTheirQuotesAndKeepBackslashes() {
        SqlLexer.Result result = SqlLexer.tokenize("'it''s' 'a\\b'", true);
        assertThat(result.tokens()).containsExactly(new Token(Type.STRING, "it's", true), new Token(Type.STRING, "a\\b", true));
        assertThat(result.backslashInPlainString()).isTrue();
        assertThat(SqlLexer.tokenize("'plain'", true).backslashInPlainString()).isFalse();
    }

    @Test
    void withStandardConformingStringsOffBackslashesEscapeInPlainStrings() {
        assertThat(SqlLexer.tokenize("'a\\'b' c", false).tokens())
                .containsExactly(new Token(Type.STRING, "a'b", false), new Token(Type.WORD, "c", false));
    }

    @Test
    void escapeStringsDecodeBackslashEscapes() {
        assertThat(tokens("E'a\\'b\\\\c\\n\\x41\\101\\u0042\\U00000043'"))
                .containsExactly(new Token(Type.STRING, "a'b\\c\nAAB" + "C", false));
        assertThat(tokens("e'role'")).containsExactly(new Token(Type.STRING, "role", true));
    }

    @Test
    void stringsContinueAcrossANewlineOnly() {
        assertThat(tokens("'ro'\n  'le'")).containsExactly(new Token(Type.STRING, "role", false));
        assertThat(tokens("'ro' -- c\n'le'")).containsExactly(new Token(Type.STRING, "role", false));
        assertThat(tokens("'ro' 'le'")).extracting(Token::text).containsExactly("ro", "le");
        assertThat(tokens("'ro' /* c */\n'le'")).extracting(Token::text).containsExactly("ro", "le");
    }

    @Test
    void prefixedStringsAreNotPlain() {
        assertThat(tokens("U&'x' B'1' X'f' N'n'")).extracting(Token::plain).containsOnly(false);
        assertThat(tokens("U&\"x\"")).extracting(Token::type).containsExactly(Type.UNICODE_IDENT);
        assertThat(tokens("U&'\\0041'")).containsExactly(new Token(Type.UNICODE_STRING, "\\0041", false));
    }

    @Test
    void dollarQuotesHaveTagsAndIdentifiersMayHoldDollars() {
        assertThat(tokens("$$a$b$$ $t$ $$ $t$ $1 x$y$")).containsExactly(
                new Token(Type.DOLLAR_STRING, "a$b", false), new Token(Type.DOLLAR_STRING, " $$ ", false),
                new Token(Type.OTHER, "$1", false), new Token(Type.WORD, "x$y$", false));
        assertThat(tokens("$a$ never closed")).containsExactly(new Token(Type.DOLLAR_STRING, " never closed", false));
    }

    @Test
    void unterminatedStringsAndIdentifiersRunToTheEnd() {
        assertThat(tokens("'abc")).containsExactly(new Token(Type.STRING, "abc", true));
        assertThat(tokens("\"abc")).containsExactly(new Token(Type.IDENT, "abc", false));
        assertThat(tokens("E'abc\\")).hasSize(1);
    }
}
