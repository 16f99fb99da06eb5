package io.pgwarden.plugin.protocollog;

import java.util.Locale;

/**
 * Removes passwords from SQL text before it is logged: the literal after the word
 * {@code PASSWORD} ({@code ALTER ROLE ... PASSWORD 'x'}, {@code CREATE USER ... ENCRYPTED PASSWORD 'x'},
 * {@code OPTIONS (password 'x')}), in any quoting ({@code '...'}, {@code E'...'}, dollar quotes),
 * and the value in {@code password=...} of connection strings. It errs on the side of removing too
 * much: a column named {@code password} compared with a literal loses its literal too.
 */
final class SecretRedactor {

    static final String REDACTED = "'[redacted]'";
    private static final String WORD = "password";

    private SecretRedactor() {
    }

    /**
     * The text with every password literal replaced by {@code '[redacted]'}.
     *
     * @param sql the text
     * @return the redacted text
     */
    static String redact(String sql) {
        String lower = sql.toLowerCase(Locale.ROOT);
        int from = lower.indexOf(WORD);
        if (from < 0) {
            return sql;
        }
        StringBuilder out = new StringBuilder(sql.length());
        int copied = 0;
        while (from >= 0) {
            int afterWord = from + WORD.length();
            if (!isWordStart(sql, from) || (afterWord < sql.length() && isIdentifierPart(sql.charAt(afterWord)))) {
                from = lower.indexOf(WORD, afterWord);
                continue;
            }
            int position = skipSpaces(sql, afterWord);
            boolean assignment = position < sql.length() && sql.charAt(position) == '=';
            if (assignment) {
                position = skipSpaces(sql, position + 1);
            }
            int end = assignment && sql.startsWith("''", position) ? doubledQuoteEnd(sql, position) : literalEnd(sql, position);
            if (end < 0 && assignment) {
                end = bareValueEnd(sql, position);
            }
            if (end > position) {
                out.append(sql, copied, position).append(assignment && sql.charAt(position) != '\'' && !startsLiteral(sql, position)
                        ? "[redacted]" : REDACTED);
                copied = end;
                from = lower.indexOf(WORD, end);
            } else {
                from = lower.indexOf(WORD, afterWord);
            }
        }
        return out.append(sql, copied, sql.length()).toString();
    }

    private static boolean isWordStart(String text, int index) {
        return index == 0 || !isIdentifierPart(text.charAt(index - 1));
    }

    private static boolean isIdentifierPart(char c) {
        return Character.isLetterOrDigit(c) || c == '_' || c == '$';
    }

    private static int skipSpaces(String text, int index) {
        while (index < text.length() && Character.isWhitespace(text.charAt(index))) {
            index++;
        }
        return index;
    }

    private static boolean startsLiteral(String text, int index) {
        return literalEnd(text, index) >= 0;
    }

    /**
     * The index after a string literal starting at {@code index}, the end of the text when the
     * literal is not terminated (a truncated statement still hides its secret), or -1 when no
     * literal starts there.
     */
    private static int literalEnd(String text, int index) {
        if (index >= text.length()) {
            return -1;
        }
        char c = text.charAt(index);
        if ((c == 'E' || c == 'e') && index + 1 < text.length() && text.charAt(index + 1) == '\'') {
            return quotedEnd(text, index + 1, true);
        }
        if (c == '\'') {
            return quotedEnd(text, index, false);
        }
        if (c == '$') {
            int tagEnd = index + 1;
            while (tagEnd < text.length() && (Character.isLetterOrDigit(text.charAt(tagEnd)) || text.charAt(tagEnd) == '_')) {
                tagEnd++;
            }
            if (tagEnd < text.length() && text.charAt(tagEnd) == '$') {
                String tag = text.substring(index, tagEnd + 1);
                int close = text.indexOf(tag, tagEnd + 1);
                return close < 0 ? text.length() : close + tag.length();
            }
        }
        return -1;
    }

    private static int quotedEnd(String text, int quote, boolean backslashEscapes) {
        int i = quote + 1;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (backslashEscapes && c == '\\') {
                i += 2;
            } else if (c == '\'') {
                if (i + 1 < text.length() && text.charAt(i + 1) == '\'') {
                    i += 2;
                } else {
                    return i + 1;
                }
            } else {
                i++;
            }
        }
        return text.length();
    }

    /**
     * The end of {@code ''value''}: a quoted connection-string value inside an SQL literal,
     * where each quote is doubled.
     */
    private static int doubledQuoteEnd(String text, int index) {
        int close = text.indexOf("''", index + 2);
        return close < 0 ? text.length() : close + 2;
    }

    /** The end of an unquoted connection-string value: up to a space or a quote. */
    private static int bareValueEnd(String text, int index) {
        int i = index;
        while (i < text.length() && !Character.isWhitespace(text.charAt(i)) && text.charAt(i) != '\'' && text.charAt(i) != '"') {
            i++;
        }
        return i;
    }
}
