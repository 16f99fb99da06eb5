package io.pgwarden.plugin.oidc;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits SQL text into tokens the way PostgreSQL's lexer does, as far as {@link RoleChangeRules}
 * needs: comments ({@code --} and nested {@code /* *}{@code /}) and whitespace are dropped; string
 * constants ({@code '...'}, {@code E'...'} with backslash escapes, {@code U&'...'}, {@code B'...'},
 * {@code X'...'}, {@code N'...'}, and strings continued across a newline), dollar-quoted strings
 * with tags, quoted identifiers and unquoted words (folded to lower case like PostgreSQL: ASCII
 * letters only) each become one token.
 *
 * <p>Where the server's reading depends on a setting, the caller scans twice: with
 * {@code standard_conforming_strings} on, and, when a plain string held a backslash, off (the
 * server then reads backslash escapes in every string).
 */
final class SqlLexer {

    /** What a token is. */
    enum Type {
        /** An unquoted word (keyword or identifier), lower-cased. */
        WORD,
        /** A quoted identifier, its text as written (doubled quotes undone). */
        IDENT,
        /** A {@code U&"..."} identifier: its meaning depends on escapes this lexer does not decode. */
        UNICODE_IDENT,
        /** A string constant; {@link Token#plain} when its text is exactly what was written. */
        STRING,
        /** A {@code U&'...'} string: its text is as written, its Unicode escapes not decoded. */
        UNICODE_STRING,
        /** A dollar-quoted string: the text between the tags. */
        DOLLAR_STRING,
        /** A number, a parameter ({@code $1}) or any other character. */
        OTHER
    }

    /**
     * One token.
     *
     * @param type what it is
     * @param text the word (lower case), identifier, string value or the character(s)
     * @param plain for strings: no escapes, prefix or continuation changed the text
     */
    record Token(Type type, String text, boolean plain) {

        boolean isWord(String word) {
            return type == Type.WORD && text.equals(word);
        }

        boolean isPunctuation(char c) {
            return type == Type.OTHER && text.length() == 1 && text.charAt(0) == c;
        }

        /** A word or quoted identifier naming {@code name} whatever its case (as setting names are looked up). */
        boolean namesSetting(String name) {
            return (type == Type.WORD || type == Type.IDENT) && text.equalsIgnoreCase(name);
        }
    }

    /** The tokens, and whether a plain string held a backslash (the server's reading then depends on a setting). */
    record Result(List<Token> tokens, boolean backslashInPlainString) {
    }

    private final String sql;
    private final boolean backslashEscapes;
    /** Tokens found by the last step and not yet taken: one, or none for space and comments. */
    private final ArrayDeque<Token> tokens = new ArrayDeque<>();
    private boolean backslashInPlainString;
    private int position;

    private SqlLexer(String sql, boolean backslashEscapes) {
        this.sql = sql;
        this.backslashEscapes = backslashEscapes;
    }

    /**
     * Tokenizes a text.
     *
     * @param sql the text
     * @param standardConformingStrings true to read {@code '...'} as the SQL standard says (the
     *     default since PostgreSQL 9.1), false to read backslash escapes in it
     * @return the tokens
     */
    static Result tokenize(String sql, boolean standardConformingStrings) {
        SqlLexer lexer = of(sql, standardConformingStrings);
        List<Token> all = new ArrayList<>();
        for (Token token = lexer.next(); token != null; token = lexer.next()) {
            all.add(token);
        }
        return new Result(List.copyOf(all), lexer.backslashInPlainString());
    }

    /**
     * A lexer that hands out one token at a time, so a long statement is never held as tokens.
     *
     * @param sql the text
     * @param standardConformingStrings as for {@link #tokenize}
     * @return the lexer
     */
    static SqlLexer of(String sql, boolean standardConformingStrings) {
        return new SqlLexer(sql, !standardConformingStrings);
    }

    /**
     * The next token.
     *
     * @return the token, or null at the end of the text
     */
    Token next() {
        while (tokens.isEmpty() && position < sql.length()) {
            step();
        }
        return tokens.poll();
    }

    /**
     * Whether a plain string read so far held a backslash; complete once {@link #next} returned null.
     *
     * @return true when the server's reading of the text depends on standard_conforming_strings
     */
    boolean backslashInPlainString() {
        return backslashInPlainString;
    }

    private void step() {
        int length = sql.length();
        {
            char c = sql.charAt(position);
            char next = position + 1 < length ? sql.charAt(position + 1) : 0;
            if (isSpace(c)) {
                position++;
            } else if (c == '-' && next == '-') {
                skipLineComment();
            } else if (c == '/' && next == '*') {
                skipBlockComment();
            } else if (c == '\'') {
                string(position + 1, backslashEscapes, true, true);
            } else if ((c == 'e' || c == 'E') && next == '\'') {
                string(position + 2, true, true, false);
            } else if ((c == 'b' || c == 'B' || c == 'x' || c == 'X' || c == 'n' || c == 'N') && next == '\'') {
                string(position + 2, false, false, false);
            } else if ((c == 'u' || c == 'U') && next == '&' && position + 2 < length && sql.charAt(position + 2) == '\'') {
                string(position + 3, false, false, false);
                tokens.add(new Token(Type.UNICODE_STRING, tokens.removeLast().text(), false));
            } else if ((c == 'u' || c == 'U') && next == '&' && position + 2 < length && sql.charAt(position + 2) == '"') {
                position += 2;
                tokens.add(new Token(Type.UNICODE_IDENT, quotedIdentifier(), false));
            } else if (c == '"') {
                tokens.add(new Token(Type.IDENT, quotedIdentifier(), false));
            } else if (c == '$' && dollarQuote()) {
                return;
            } else if (isIdentStart(c)) {
                word();
            } else if (c == '$' || (c >= '0' && c <= '9')) {
                // A parameter ($1) or a number: digits, dots and underscores; its end matters, not its value. Letters
                // after it start a new token, as in PostgreSQL before 15, where 1E'...' is 1 and an escape string.
                int start = position++;
                while (position < length && (Character.isDigit(sql.charAt(position)) && sql.charAt(position) < 0x80
                        || sql.charAt(position) == '.' || sql.charAt(position) == '_')) {
                    position++;
                }
                tokens.add(new Token(Type.OTHER, sql.substring(start, position), false));
            } else {
                tokens.add(new Token(Type.OTHER, String.valueOf(c), false));
                position++;
            }
        }
    }

    private void word() {
        int start = position;
        while (position < sql.length() && (isIdentPart(sql.charAt(position)) || sql.charAt(position) == '$')) {
            position++;
        }
        tokens.add(new Token(Type.WORD, foldCase(sql.substring(start, position)), false));
    }

    /** PostgreSQL folds unquoted identifiers in UTF-8 by ASCII letters only; Java's toLowerCase would fold more (the Kelvin sign to k). */
    static String foldCase(String word) {
        StringBuilder folded = new StringBuilder(word.length());
        for (int i = 0; i < word.length(); i++) {
            char c = word.charAt(i);
            folded.append(c >= 'A' && c <= 'Z' ? (char) (c + ('a' - 'A')) : c);
        }
        return folded.toString();
    }

    /** From the opening {@code "}: the text with {@code ""} undone; an unterminated one runs to the end. */
    private String quotedIdentifier() {
        StringBuilder text = new StringBuilder();
        position++;
        while (position < sql.length()) {
            char c = sql.charAt(position++);
            if (c == '"') {
                if (position < sql.length() && sql.charAt(position) == '"') {
                    text.append('"');
                    position++;
                } else {
                    return text.toString();
                }
            } else {
                text.append(c);
            }
        }
        return text.toString();
    }

    /**
     * A string from after its opening quote, with the continuations PostgreSQL joins to it: a quote
     * after whitespace that holds a newline (and possibly {@code --} comments) continues the string,
     * in the same escape mode.
     */
    private void string(int contentStart, boolean escapes, boolean plainKind, boolean bare) {
        StringBuilder value = new StringBuilder();
        boolean plain = plainKind;
        position = contentStart;
        while (true) {
            boolean closed = false;
            while (position < sql.length()) {
                char c = sql.charAt(position++);
                if (c == '\'') {
                    if (position < sql.length() && sql.charAt(position) == '\'') {
                        value.append('\'');
                        position++;
                    } else {
                        closed = true;
                        break;
                    }
                } else if (c == '\\' && escapes) {
                    plain = false;
                    backslashInPlainString |= bare;
                    position = escape(value, position);
                } else {
                    backslashInPlainString |= bare && c == '\\';
                    value.append(c);
                }
            }
            int continuation = closed ? continuation(position) : -1;
            if (continuation < 0) {
                break;
            }
            plain = false;
            position = continuation + 1;
        }
        tokens.add(new Token(Type.STRING, value.toString(), plain));
    }

    /** After a backslash in an escape string: appends what the escape means; returns the position after it. */
    private int escape(StringBuilder value, int at) {
        if (at >= sql.length()) {
            return at;
        }
        char c = sql.charAt(at);
        switch (c) {
            case 'b' -> value.append('\b');
            case 'f' -> value.append('\f');
            case 'n' -> value.append('\n');
            case 'r' -> value.append('\r');
            case 't' -> value.append('\t');
            case 'x' -> {
                int end = digits(at + 1, 2, 16);
                if (end > at + 1) {
                    value.append((char) Integer.parseInt(sql.substring(at + 1, end), 16));
                    return end;
                }
                value.append('x');
            }
            case 'u', 'U' -> {
                int count = c == 'u' ? 4 : 8;
                int end = digits(at + 1, count, 16);
                if (end == at + 1 + count) {
                    value.appendCodePoint((int) Long.parseLong(sql.substring(at + 1, end), 16));
                    return end;
                }
                value.append(c);
            }
            default -> {
                if (c >= '0' && c <= '7') {
                    int end = digits(at, 3, 8);
                    value.append((char) (Integer.parseInt(sql.substring(at, end), 8) & 0xFF));
                    return end;
                }
                value.append(c);
            }
        }
        return at + 1;
    }

    private int digits(int from, int max, int radix) {
        int end = from;
        while (end < sql.length() && end - from < max && Character.digit(sql.charAt(end), radix) >= 0 && sql.charAt(end) < 0x80) {
            end++;
        }
        return end;
    }

    /**
     * PostgreSQL's {@code quotecontinue}: horizontal space and {@code --} comments, a newline, then
     * space, newlines and comments ending in a newline, then a quote.
     *
     * @return the index of the continuing quote, or -1
     */
    private int continuation(int from) {
        int i = from;
        boolean newline = false;
        while (i < sql.length()) {
            char c = sql.charAt(i);
            if (c == '\n' || c == '\r') {
                newline = true;
                i++;
            } else if (isSpace(c)) {
                i++;
            } else if (c == '-' && i + 1 < sql.length() && sql.charAt(i + 1) == '-') {
                int end = i;
                while (end < sql.length() && sql.charAt(end) != '\n' && sql.charAt(end) != '\r') {
                    end++;
                }
                if (newline && end >= sql.length()) {
                    return -1;
                }
                i = end;
            } else {
                return c == '\'' && newline ? i : -1;
            }
        }
        return -1;
    }

    /** At a {@code $}: a dollar-quoted string when a tag and a second {@code $} follow; false leaves the position. */
    private boolean dollarQuote() {
        int i = position + 1;
        if (i < sql.length() && isIdentStart(sql.charAt(i))) {
            i++;
            while (i < sql.length() && isIdentPart(sql.charAt(i))) {
                i++;
            }
        }
        if (i >= sql.length() || sql.charAt(i) != '$') {
            return false;
        }
        String tag = sql.substring(position, i + 1);
        int end = sql.indexOf(tag, i + 1);
        String body = end < 0 ? sql.substring(i + 1) : sql.substring(i + 1, end);
        position = end < 0 ? sql.length() : end + tag.length();
        tokens.add(new Token(Type.DOLLAR_STRING, body, false));
        return true;
    }

    private void skipLineComment() {
        while (position < sql.length() && sql.charAt(position) != '\n' && sql.charAt(position) != '\r') {
            position++;
        }
    }

    /** Block comments nest in PostgreSQL; an unterminated one runs to the end. */
    private void skipBlockComment() {
        int depth = 0;
        while (position < sql.length()) {
            if (sql.startsWith("/*", position)) {
                depth++;
                position += 2;
            } else if (sql.startsWith("*/", position)) {
                depth--;
                position += 2;
                if (depth == 0) {
                    return;
                }
            } else {
                position++;
            }
        }
    }

    private static boolean isSpace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == 0x0B;
    }

    private static boolean isIdentStart(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
    }

    private static boolean isIdentPart(char c) {
        return isIdentStart(c) || (c >= '0' && c <= '9');
    }
}
