package io.pgwarden.core.session;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Recognises a simple Query that is exactly {@code DEALLOCATE [PREPARE] name}, so that a client can
 * drop, with SQL, a statement it prepared with Parse: on the servers that statement has another
 * name. Anything else (several statements, {@code ALL}, comments) is left to the server.
 */
final class DeallocateStatement {

    private static final byte[] DEALLOCATE = "deallocate".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] PREPARE = "prepare".getBytes(StandardCharsets.US_ASCII);

    private DeallocateStatement() {
    }

    /**
     * The statement name, as PostgreSQL would read it (unquoted names folded to lower case).
     *
     * @param text the buffer
     * @param from the first byte of the statement text
     * @param to the end of the text (exclusive, before the terminator)
     * @return the name, or null when the text is not a single DEALLOCATE of one name
     */
    static String name(ByteBuf text, int from, int to) {
        int i = skipSpace(text, from, to);
        int after = word(text, i, to, DEALLOCATE);
        if (after < 0) {
            return null;
        }
        i = skipSpace(text, after, to);
        if (i == after) {
            return null;
        }
        int afterPrepare = word(text, i, to, PREPARE);
        if (afterPrepare >= 0 && skipSpace(text, afterPrepare, to) > afterPrepare) {
            i = skipSpace(text, afterPrepare, to);
        }
        String name;
        int end;
        if (i < to && text.getByte(i) == '"') {
            StringBuilder quoted = new StringBuilder();
            int j = i + 1;
            int start = j;
            while (true) {
                if (j >= to) {
                    return null;
                }
                if (text.getByte(j) == '"') {
                    if (j + 1 < to && text.getByte(j + 1) == '"') {
                        quoted.append(text.toString(start, j + 1 - start, StandardCharsets.UTF_8));
                        j += 2;
                        start = j;
                        continue;
                    }
                    quoted.append(text.toString(start, j - start, StandardCharsets.UTF_8));
                    break;
                }
                j++;
            }
            name = quoted.toString();
            end = j + 1;
        } else {
            int j = i;
            while (j < to && identifierByte(text.getByte(j), j == i)) {
                j++;
            }
            if (j == i) {
                return null;
            }
            name = text.toString(i, j - i, StandardCharsets.UTF_8).toLowerCase(Locale.ROOT);
            end = j;
        }
        end = skipSpace(text, end, to);
        if (end < to && text.getByte(end) == ';') {
            end = skipSpace(text, end + 1, to);
        }
        if (end != to || name.isEmpty() || name.equals("all")) {
            return null;
        }
        return name;
    }

    private static boolean identifierByte(byte b, boolean first) {
        return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b == '_' || (b & 0x80) != 0
                || !first && (b >= '0' && b <= '9' || b == '$');
    }

    /** The index after the keyword when it starts at {@code i} as a whole word, else -1. */
    private static int word(ByteBuf text, int i, int to, byte[] keyword) {
        if (to - i < keyword.length) {
            return -1;
        }
        for (int k = 0; k < keyword.length; k++) {
            int b = text.getByte(i + k) | 0x20;
            if (b != keyword[k]) {
                return -1;
            }
        }
        int end = i + keyword.length;
        return end < to && identifierByte(text.getByte(end), false) ? -1 : end;
    }

    private static int skipSpace(ByteBuf text, int i, int to) {
        while (i < to) {
            byte b = text.getByte(i);
            if (b != ' ' && b != '\t' && b != '\n' && b != '\r' && b != '\f') {
                break;
            }
            i++;
        }
        return i;
    }
}
