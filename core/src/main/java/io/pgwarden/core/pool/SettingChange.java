package io.pgwarden.core.pool;

import static io.pgwarden.core.pool.SqlLexer.classify;
import static io.pgwarden.core.pool.SqlLexer.lowerCase;
import static io.pgwarden.core.pool.SqlLexer.skipSpace;
import static io.pgwarden.core.pool.SqlLexer.statementEnd;
import static io.pgwarden.core.pool.SqlLexer.tokenEnd;
import static io.pgwarden.core.pool.SqlToken.*;

import java.nio.charset.StandardCharsets;
import java.util.function.Predicate;

/**
 * The rules of {@link SessionStateScanner} for statements that change a setting: SET (with its
 * aliases such as SET TIME ZONE and SET SESSION CHARACTERISTICS) and calls of set_config. A
 * setting the pool re-applies on the next server does not pin; anything else, and any search_path
 * that names pg_temp, does.
 */
final class SettingChange {

    /** PostgreSQL truncates identifiers to NAMEDATALEN - 1 bytes: no tracked setting is longer. */
    private static final int MAX_IDENTIFIER = 63;
    private static final int MAX_SETTING_NAME = 255;
    private static final byte[] PG_TEMP_NAME = "pg_temp".getBytes(StandardCharsets.US_ASCII);

    private SettingChange() {
    }

    /** A SET statement from the token after SET: the setting it changes, asked of the pool. */
    static PinReason setStatement(byte[] b, int i, int to, Predicate<String> tracked,
            boolean backslashEscapes) {
        int start = skipSpace(b, i, to);
        if (start >= to) {
            return null;
        }
        int end = tokenEnd(b, start, to, backslashEscapes);
        int token = classify(b, start, end);
        if (token == LOCAL) {
            // Ends with the transaction, but a search_path with pg_temp first makes the
            // transaction's CREATE TABLE temporary, and that table outlives it.
            return mentionsPgTemp(b, end, statementEnd(b, end, to, backslashEscapes))
                    ? PinReason.TEMP_TABLE : null;
        }
        if (token == TRANSACTION || token == CONSTRAINTS) {
            return null; // these end with the transaction
        }
        if (token == SESSION) {
            start = skipSpace(b, end, to);
            if (start >= to) {
                return null;
            }
            end = tokenEnd(b, start, to, backslashEscapes);
            token = classify(b, start, end);
            if (token == CHARACTERISTICS) {
                return characteristics(b, end, to, tracked, backslashEscapes);
            }
            if (token == AUTHORIZATION) {
                return PinReason.SET; // an identity change is never replayed on another server
            }
        }
        if (token != WORD && token != QUOTED && token < FIRST_KEYWORD) {
            return null; // not a setting name: a syntax error that changes nothing
        }
        int next = skipSpace(b, end, to);
        int following = next < to ? classify(b, next, tokenEnd(b, next, to, backslashEscapes))
                : SEMICOLON;
        if (following != DOT) {
            String alias = token == ROLE ? "role"
                    : token == NAMES ? "client_encoding"
                    : token == SCHEMA ? "search_path"
                    : token == TIME && following == ZONE ? "timezone"
                    : token == XML && following == OPTION ? "xmloption" : null;
            if (alias != null) {
                return askSet(tracked, alias, b, end, to, backslashEscapes);
            }
        }
        int length = settingName(b, start, to, backslashEscapes, null);
        if (length < 0) {
            return PinReason.SET;
        }
        byte[] name = new byte[length];
        settingName(b, start, to, backslashEscapes, name);
        return askSet(tracked, new String(name, StandardCharsets.UTF_8), b, end, to,
                backslashEscapes);
    }

    /** SET SESSION CHARACTERISTICS AS TRANSACTION sets the default_transaction_* settings. */
    private static PinReason characteristics(byte[] b, int i, int to, Predicate<String> tracked,
            boolean backslashEscapes) {
        int previous = OTHER;
        while ((i = skipSpace(b, i, to)) < to) {
            int start = i;
            i = tokenEnd(b, start, to, backslashEscapes);
            int token = classify(b, start, i);
            if (token == SEMICOLON) {
                break;
            }
            String setting = token == ISOLATION ? "default_transaction_isolation"
                    : token == READ && previous != LEVEL ? "default_transaction_read_only"
                    : token == DEFERRABLE ? "default_transaction_deferrable" : null;
            if (setting != null && !tracked.test(setting)) {
                return PinReason.SET;
            }
            previous = token;
        }
        return null;
    }

    /**
     * The dotted setting name starting at {@code i}, lower-cased as PostgreSQL looks settings up,
     * copied into {@code into} when it is not null. Returns its length in bytes, or -1 when it is
     * not a name any tracked setting could have.
     */
    private static int settingName(byte[] b, int i, int to, boolean backslashEscapes,
            byte[] into) {
        int length = 0;
        while (true) {
            int end = tokenEnd(b, i, to, backslashEscapes);
            int token = classify(b, i, end);
            int part;
            if (b[i] == '"') {
                part = copyQuoted(b, i + 1, end, into, length);
            } else if (token == WORD || token >= FIRST_KEYWORD) {
                part = copyLowerCase(b, i, end, into, length);
            } else {
                return -1;
            }
            length += part;
            if (part > MAX_IDENTIFIER || length > MAX_SETTING_NAME) {
                return -1;
            }
            int dot = skipSpace(b, end, to);
            if (dot >= to || b[dot] != '.') {
                return length;
            }
            if (into != null) {
                into[length] = '.';
            }
            length++;
            i = skipSpace(b, dot + 1, to);
            if (i >= to) {
                return -1;
            }
        }
    }

    private static int copyLowerCase(byte[] b, int from, int to, byte[] into, int at) {
        if (into != null) {
            for (int i = from; i < to; i++) {
                into[at + i - from] = lowerCase(b[i]);
            }
        }
        return to - from;
    }

    /** Copies a quoted identifier's text, "" read as one quote; {@code from} is after the quote. */
    private static int copyQuoted(byte[] b, int from, int to, byte[] into, int at) {
        int length = 0;
        for (int i = from; i < to; i++) {
            byte c = b[i];
            if (c == '"') {
                if (i + 1 >= to || b[i + 1] != '"') {
                    break;
                }
                i++;
            }
            if (into != null) {
                into[at + length] = lowerCase(c);
            }
            length++;
        }
        return length;
    }

    /**
     * A call set_config(name, value, is_local) from the token after its parenthesis: it does not
     * pin when is_local is the literal true or when the name is a literal of a tracked setting.
     */
    static PinReason setConfigCall(byte[] b, int i, int to, Predicate<String> tracked,
            boolean backslashEscapes) {
        int arguments = i;
        int depth = 0;
        int argument = 0;
        int tokens = 0;
        int nameStart = -1;
        int nameEnd = -1;
        boolean local = false;
        while (true) {
            i = skipSpace(b, i, to);
            if (i >= to) {
                return PinReason.SET;
            }
            int start = i;
            i = tokenEnd(b, start, to, backslashEscapes);
            int token = classify(b, start, i);
            if (token == SEMICOLON || token == SET_CONFIG) {
                return PinReason.SET;
            }
            if (depth == 0 && token == CLOSE) {
                break;
            }
            if (depth == 0 && token == COMMA) {
                argument++;
                tokens = 0;
                continue;
            }
            depth += token == OPEN ? 1 : token == CLOSE ? -1 : 0;
            tokens++;
            if (argument == 0) {
                boolean literal = tokens == 1 && token == STRING && b[start] == '\'';
                nameStart = literal ? start : -1;
                nameEnd = i;
            } else if (argument == 2) {
                local = tokens == 1 && token == TRUE;
            }
        }
        if (argument == 2 && local) {
            return mentionsPgTemp(b, arguments, i) ? PinReason.TEMP_TABLE : null;
        }
        if (nameStart < 0 || nameEnd - nameStart < 2 || nameEnd - nameStart > MAX_SETTING_NAME
                || b[nameEnd - 1] != '\'') {
            return PinReason.SET;
        }
        byte[] name = new byte[nameEnd - nameStart - 2];
        for (int k = 0; k < name.length; k++) {
            byte c = b[nameStart + 1 + k];
            if (c == '\'' || c == '\\') {
                return PinReason.SET; // quoting inside the name: not a plain setting name
            }
            name[k] = lowerCase(c);
        }
        String setting = new String(name, StandardCharsets.UTF_8);
        if (!tracked.test(setting)) {
            return PinReason.SET;
        }
        return setting.equals("search_path") && mentionsPgTemp(b, arguments, i)
                ? PinReason.TEMP_TABLE : null;
    }

    /**
     * Asks the pool about the setting a SET statement changes; {@code i} is after its name. A
     * tracked search_path that names pg_temp still pins: with pg_temp first in the path, a plain
     * CREATE TABLE creates a temporary table.
     */
    private static PinReason askSet(Predicate<String> tracked, String setting, byte[] b, int i,
            int to, boolean backslashEscapes) {
        if (!tracked.test(setting)) {
            return PinReason.SET;
        }
        return setting.equals("search_path")
                && mentionsPgTemp(b, i, statementEnd(b, i, to, backslashEscapes))
                ? PinReason.TEMP_TABLE : null;
    }

    /** Whether pg_temp appears, in any case, in the raw bytes (conservative: also in comments). */
    private static boolean mentionsPgTemp(byte[] b, int from, int to) {
        for (int i = from; i + PG_TEMP_NAME.length <= to; i++) {
            int k = 0;
            while (k < PG_TEMP_NAME.length && lowerCase(b[i + k]) == PG_TEMP_NAME[k]) {
                k++;
            }
            if (k == PG_TEMP_NAME.length) {
                return true;
            }
        }
        return false;
    }
}
