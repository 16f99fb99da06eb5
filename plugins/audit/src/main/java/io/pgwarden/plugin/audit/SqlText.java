package io.pgwarden.plugin.audit;

import java.util.ArrayList;
import java.util.List;

/**
 * A small SQL lexer that splits a query string into its statements and normalizes each one:
 * every literal (quoted strings including {@code E''}, {@code B''}, {@code X''}, {@code U&''}, dollar-quoted
 * strings and numbers) becomes {@code ?}, comments are removed and runs of whitespace become one space. Quoted
 * identifiers and {@code $1} parameters are kept. An unterminated literal, quoted identifier or comment swallows
 * the rest of the text, so a malformed statement cannot leak a literal either.
 */
final class SqlText {

    /**
     * One statement of a query string.
     *
     * @param normalized the text with literals replaced and whitespace normalized
     * @param raw the statement as the client sent it, trimmed
     */
    record Statement(String normalized, String raw) {
    }

    /** The statement of a query string that holds none. */
    private static final Statement EMPTY = new Statement("", "");

    private SqlText() {
    }

    /**
     * Splits and normalizes a query string.
     *
     * @param sql the query string
     * @return its non-empty statements in order
     */
    static List<Statement> statements(String sql) {
        List<Statement> out = new ArrayList<>(1);
        scan(sql, out);
        return out;
    }

    /**
     * The {@code index}th statement of a query string, or its last when it holds fewer.
     *
     * @param statements the query string's {@link #statements}
     * @param index the statement's position, from 0
     * @return the statement, empty when there is none
     */
    static Statement statement(List<Statement> statements, int index) {
        return statements.isEmpty() ? EMPTY : statements.get(Math.min(index, statements.size() - 1));
    }

    /**
     * All statements of a query string as one, joined with {@code "; "}: for a refused query string, which is
     * refused as a whole.
     *
     * @param statements the query string's {@link #statements}
     * @return the joined statement, empty when there is none
     */
    static Statement joined(List<Statement> statements) {
        if (statements.size() == 1) {
            return statements.get(0);
        }
        StringBuilder normalized = new StringBuilder();
        StringBuilder raw = new StringBuilder();
        for (Statement statement : statements) {
            normalized.append(normalized.length() == 0 ? "" : "; ").append(statement.normalized());
            raw.append(raw.length() == 0 ? "" : "; ").append(statement.raw());
        }
        return new Statement(normalized.toString(), raw.toString());
    }

    private static void scan(String sql, List<Statement> out) {
        StringBuilder text = new StringBuilder(sql.length());
        int start = 0;
        boolean content = false;
        int i = 0;
        int n = sql.length();
        while (i < n) {
            char c = sql.charAt(i);
            int next;
            if (c == ';') {
                if (content) {
                    emit(out, text, sql, start, i);
                }
                content = false;
                start = i + 1;
                i++;
                continue;
            }
            if (Character.isWhitespace(c)) {
                space(text);
                i++;
                continue;
            }
            if (c == '-' && i + 1 < n && sql.charAt(i + 1) == '-') {
                next = sql.indexOf('\n', i);
                i = next < 0 ? n : next + 1;
                space(text);
                continue;
            }
            if (c == '/' && i + 1 < n && sql.charAt(i + 1) == '*') {
                i = blockCommentEnd(sql, i);
                space(text);
                continue;
            }
            content = true;
            if (c == '\'') {
                i = quotedEnd(sql, i + 1, false);
                literal(text);
            } else if (isPrefixedString(sql, i)) {
                boolean backslashes = c == 'e' || c == 'E';
                i = quotedEnd(sql, sql.indexOf('\'', i) + 1, backslashes);
                literal(text);
            } else if (c == '$' && (next = dollarTagEnd(sql, i)) > 0) {
                int close = dollarQuoteEnd(sql, i, next);
                i = close < 0 ? n : close;
                literal(text);
            } else if (c == '"') {
                int end = quotedEnd(sql, i + 1, false, '"');
                if (end < 0) {
                    // An unterminated quoted identifier may hide a literal: nothing after it is written.
                    literal(text);
                    i = n;
                } else {
                    append(text, sql, i, end);
                    i = end;
                }
            } else if (isNumberStart(sql, i)) {
                i = numberEnd(sql, i);
                literal(text);
            } else if (isIdentifierPart(c)) {
                int end = i;
                while (end < n && isIdentifierPart(sql.charAt(end))) {
                    end++;
                }
                append(text, sql, i, end);
                i = end;
            } else {
                text.append(c);
                i++;
            }
        }
        if (content) {
            emit(out, text, sql, start, n);
        }
    }

    private static void emit(List<Statement> out, StringBuilder text, String sql, int start, int end) {
        String normalized = text.toString().strip();
        out.add(new Statement(normalized, sql.substring(start, end).strip()));
        text.setLength(0);
    }

    private static void space(StringBuilder text) {
        if (text.length() > 0 && text.charAt(text.length() - 1) != ' ') {
            text.append(' ');
        }
    }

    private static void literal(StringBuilder text) {
        text.append('?');
    }

    private static void append(StringBuilder text, String sql, int start, int end) {
        text.append(sql, start, end);
    }

    private static int blockCommentEnd(String sql, int i) {
        int depth = 0;
        int n = sql.length();
        while (i < n) {
            if (sql.startsWith("/*", i)) {
                depth++;
                i += 2;
            } else if (sql.startsWith("*/", i)) {
                depth--;
                i += 2;
                if (depth == 0) {
                    return i;
                }
            } else {
                i++;
            }
        }
        return n;
    }

    private static int quotedEnd(String sql, int i, boolean backslashes) {
        int end = quotedEnd(sql, i, backslashes, '\'');
        return end < 0 ? sql.length() : end;
    }

    /** The index after the closing quote; a doubled quote stands for itself; -1 when unterminated. */
    private static int quotedEnd(String sql, int i, boolean backslashes, char quote) {
        int n = sql.length();
        while (i < n) {
            char c = sql.charAt(i);
            if (backslashes && c == '\\') {
                i += 2;
            } else if (c == quote) {
                if (i + 1 < n && sql.charAt(i + 1) == quote) {
                    i += 2;
                } else {
                    return i + 1;
                }
            } else {
                i++;
            }
        }
        return -1;
    }

    /** E'..', B'..', X'..', N'..' and U&'..', when the letter does not end a longer word. */
    private static boolean isPrefixedString(String sql, int i) {
        if (i > 0 && isIdentifierPart(sql.charAt(i - 1))) {
            return false;
        }
        char c = Character.toUpperCase(sql.charAt(i));
        if ((c == 'E' || c == 'B' || c == 'X' || c == 'N') && i + 1 < sql.length() && sql.charAt(i + 1) == '\'') {
            return true;
        }
        return c == 'U' && sql.startsWith("&'", i + 1);
    }

    /** For {@code $tag$} or {@code $$}, the index after the opening tag; otherwise -1 ({@code $1} is a parameter). */
    private static int dollarTagEnd(String sql, int i) {
        if (i > 0 && isIdentifierPart(sql.charAt(i - 1))) {
            return -1;
        }
        int j = i + 1;
        int n = sql.length();
        if (j < n && Character.isDigit(sql.charAt(j))) {
            return -1;
        }
        while (j < n && (Character.isLetterOrDigit(sql.charAt(j)) || sql.charAt(j) == '_')) {
            j++;
        }
        return j < n && sql.charAt(j) == '$' ? j + 1 : -1;
    }

    /**
     * The index after the closing tag of the dollar-quoted string whose opening tag is {@code sql[open, body)}, or -1
     * when unterminated. Compares in place, without a copy of the tag.
     */
    private static int dollarQuoteEnd(String sql, int open, int body) {
        int length = body - open;
        for (int at = sql.indexOf('$', body); at >= 0; at = sql.indexOf('$', at + 1)) {
            if (sql.regionMatches(at, sql, open, length)) {
                return at + length;
            }
        }
        return -1;
    }

    private static boolean isNumberStart(String sql, int i) {
        if (i > 0 && (isIdentifierPart(sql.charAt(i - 1)) || sql.charAt(i - 1) == '$')) {
            return false;
        }
        char c = sql.charAt(i);
        return Character.isDigit(c) || c == '.' && i + 1 < sql.length() && Character.isDigit(sql.charAt(i + 1));
    }

    private static int numberEnd(String sql, int i) {
        int n = sql.length();
        while (i < n) {
            char c = sql.charAt(i);
            if (Character.isLetterOrDigit(c) || c == '.' || c == '_') {
                i++;
            } else if ((c == '+' || c == '-') && (sql.charAt(i - 1) == 'e' || sql.charAt(i - 1) == 'E')) {
                i++;
            } else {
                break;
            }
        }
        return i;
    }

    private static boolean isIdentifierPart(char c) {
        return Character.isLetterOrDigit(c) || c == '_' || c == '$';
    }
}
