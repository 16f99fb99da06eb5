package io.pgwarden.core.pool;

import static io.pgwarden.core.pool.SqlToken.CLOSE;
import static io.pgwarden.core.pool.SqlToken.COMMA;
import static io.pgwarden.core.pool.SqlToken.DOT;
import static io.pgwarden.core.pool.SqlToken.OPEN;
import static io.pgwarden.core.pool.SqlToken.OTHER;
import static io.pgwarden.core.pool.SqlToken.PG_TEMP;
import static io.pgwarden.core.pool.SqlToken.QUOTED;
import static io.pgwarden.core.pool.SqlToken.SEMICOLON;
import static io.pgwarden.core.pool.SqlToken.STRING;

/**
 * Splits SQL text into tokens the way PostgreSQL's {@code scan.l} does (literals, quoted
 * identifiers, nested comments, dollar quoting, escape-string continuation), on a byte array and
 * without allocating: {@link SessionStateScanner} runs it on every statement a pooled client
 * sends. White space and comments are skipped, never returned as tokens.
 */
final class SqlLexer {

    private SqlLexer() {
    }

    /** Where the statement that goes on at {@code i} ends: its semicolon, or {@code to}. */
    static int statementEnd(byte[] b, int i, int to, boolean backslashEscapes) {
        while ((i = skipSpace(b, i, to)) < to) {
            int start = i;
            i = tokenEnd(b, start, to, backslashEscapes);
            if (classify(b, start, i) == SEMICOLON) {
                return start;
            }
        }
        return to;
    }

    static int classify(byte[] b, int start, int end) {
        byte c = b[start];
        switch (c) {
            case ';':
                return SEMICOLON;
            case '(':
                return OPEN;
            case ')':
                return CLOSE;
            case ',':
                return COMMA;
            case '.':
                return DOT;
            case '\'':
                return STRING;
            case '"':
                return quotedIdentifier(b, start, end);
            case '$':
                return end - start > 1 && !isDigit(b[start + 1]) ? STRING : OTHER;
            default:
                break;
        }
        if (!isIdentifierStart(c)) {
            return OTHER;
        }
        if (end - start > 1 && b[start + 1] == '\'') {
            return STRING; // E'...'
        }
        return SqlToken.keyword(b, start, end, true);
    }

    private static int quotedIdentifier(byte[] b, int start, int end) {
        if (end - start < 2 || b[end - 1] != '"') {
            return QUOTED;
        }
        int id = SqlToken.keyword(b, start + 1, end - 1, false);
        return id >= PG_TEMP ? id : QUOTED;
    }

    /** The end of the token that starts at {@code i}, which is not white space or a comment. */
    static int tokenEnd(byte[] b, int i, int to, boolean backslashEscapes) {
        byte c = b[i];
        if (isIdentifierStart(c)) {
            if ((c == 'e' || c == 'E') && i + 1 < to && b[i + 1] == '\'') {
                return stringEnd(b, i + 2, to, true);
            }
            int j = i + 1;
            while (j < to && (isIdentifierStart(b[j]) || isDigit(b[j])
                    || b[j] == '$')) {
                j++;
            }
            return j;
        }
        if (isDigit(c)) {
            return digitsEnd(b, i + 1, to);
        }
        switch (c) {
            case '\'':
                return stringEnd(b, i + 1, to, backslashEscapes);
            case '"':
                return quotedIdentifierEnd(b, i + 1, to);
            case '$':
                return dollarEnd(b, i, to);
            default:
                return i + 1;
        }
    }

    private static int digitsEnd(byte[] b, int i, int to) {
        while (i < to && isDigit(b[i])) {
            i++;
        }
        return i;
    }

    /** The end of a '...' literal whose body starts at {@code i}; unterminated runs to the end. */
    private static int stringEnd(byte[] b, int i, int to, boolean backslashEscapes) {
        while (i < to) {
            byte c = b[i];
            if (c == '\\' && backslashEscapes) {
                i += 2;
            } else if (c != '\'') {
                i++;
            } else if (i + 1 < to && b[i + 1] == '\'') {
                i += 2;
            } else {
                // 'a'<newline>'b' is one literal; it matters only where a backslash escapes.
                int next = backslashEscapes ? continuation(b, i + 1, to) : -1;
                if (next < 0) {
                    return i + 1;
                }
                i = next + 1;
            }
        }
        return to;
    }

    /** The quote that continues a literal after white space holding a newline, or -1. */
    private static int continuation(byte[] b, int i, int to) {
        boolean newline = false;
        while (i < to) {
            byte c = b[i];
            if (c == '\n' || c == '\r') {
                newline = true;
                i++;
            } else if (c == ' ' || c == '\t' || c == '\f' || c == 0x0B) {
                i++;
            } else if (c == '-' && i + 1 < to && b[i + 1] == '-') {
                i = lineEnd(b, i + 2, to);
            } else {
                return newline && c == '\'' ? i : -1;
            }
        }
        return -1;
    }

    private static int quotedIdentifierEnd(byte[] b, int i, int to) {
        while (i < to) {
            if (b[i] != '"') {
                i++;
            } else if (i + 1 < to && b[i + 1] == '"') {
                i += 2;
            } else {
                return i + 1;
            }
        }
        return to;
    }

    /**
     * A $n parameter, a $tag$...$tag$ literal, or a lone $. Tags hold no $, so each candidate
     * closing tag is compared only up to the next $: the search stays linear.
     */
    private static int dollarEnd(byte[] b, int i, int to) {
        int j = i + 1;
        if (j < to && isDigit(b[j])) {
            return digitsEnd(b, j, to);
        }
        if (j < to && isIdentifierStart(b[j])) {
            j++;
            while (j < to && (isIdentifierStart(b[j]) || isDigit(b[j]))) {
                j++;
            }
        }
        if (j >= to || b[j] != '$') {
            return i + 1;
        }
        int tagLength = j - i - 1;
        for (int k = j + 1; k + tagLength + 1 < to; k++) {
            if (b[k] == '$' && closesDollarQuote(b, k, i, tagLength)) {
                return k + tagLength + 2;
            }
        }
        return to;
    }

    private static boolean closesDollarQuote(byte[] b, int k, int open, int tagLength) {
        for (int t = 1; t <= tagLength; t++) {
            if (b[k + t] != b[open + t]) {
                return false;
            }
        }
        return b[k + tagLength + 1] == '$';
    }

    /** Skips white space, -- comments and nested C-style comments. */
    static int skipSpace(byte[] b, int i, int to) {
        while (i < to) {
            byte c = b[i];
            if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == 0x0B) {
                i++;
            } else if (c == '-' && i + 1 < to && b[i + 1] == '-') {
                i = lineEnd(b, i + 2, to);
            } else if (c == '/' && i + 1 < to && b[i + 1] == '*') {
                i = commentEnd(b, i + 2, to);
            } else {
                return i;
            }
        }
        return to;
    }

    private static int lineEnd(byte[] b, int i, int to) {
        while (i < to && b[i] != '\n' && b[i] != '\r') {
            i++;
        }
        return i;
    }

    private static int commentEnd(byte[] b, int i, int to) {
        int depth = 1;
        while (i + 1 < to) {
            byte c = b[i];
            byte d = b[i + 1];
            if (c == '/' && d == '*') {
                depth++;
                i += 2;
            } else if (c == '*' && d == '/') {
                i += 2;
                if (--depth == 0) {
                    return i;
                }
            } else {
                i++;
            }
        }
        return to;
    }

    static boolean containsBackslash(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (b[i] == '\\') {
                return true;
            }
        }
        return false;
    }

    private static boolean isIdentifierStart(byte c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c < 0;
    }

    private static boolean isDigit(byte c) {
        return c >= '0' && c <= '9';
    }

    static byte lowerCase(byte c) {
        return c >= 'A' && c <= 'Z' ? (byte) (c + ('a' - 'A')) : c;
    }
}
