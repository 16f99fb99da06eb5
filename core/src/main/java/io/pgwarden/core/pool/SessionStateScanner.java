package io.pgwarden.core.pool;

import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.FastThreadLocal;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * Tells whether SQL text from a Query or Parse message leaves state in the server session that
 * transaction pooling cannot carry to another server connection, so that the client must stay
 * pinned to its server.
 *
 * <p>This is a lexer that follows PostgreSQL's {@code scan.l} (literals, quoted identifiers,
 * nested comments, dollar quoting, escape-string continuation) with a few token-pattern rules on
 * top, not a parser: it runs on every statement a pooled client sends, so it must be linear in the
 * text and allocate nothing unless a SET names a setting. Where it cannot tell, it pins: a pinned
 * client costs a server connection, a missed pin leaks one client's session state to another.
 */
final class SessionStateScanner {

    /** PostgreSQL truncates identifiers to NAMEDATALEN - 1 bytes: no tracked setting is longer. */
    private static final int MAX_IDENTIFIER = 63;
    private static final int MAX_SETTING_NAME = 255;

    private static final int OTHER = 0;
    private static final int WORD = 1;
    private static final int QUOTED = 2;
    private static final int STRING = 3;
    private static final int SEMICOLON = 4;
    private static final int OPEN = 5;
    private static final int CLOSE = 6;
    private static final int COMMA = 7;
    private static final int DOT = 8;

    /**
     * Keywords and function names the rules look at, in id order: a word's token id is
     * {@code FIRST_KEYWORD} plus its index here. From {@code pg_temp} on, the names also match as
     * quoted identifiers ("pg_temp" is pg_temp, "pg_advisory_lock"(1) calls the function).
     */
    private static final String[] KEYWORD_NAMES = {
        "listen", "load", "create", "or", "replace", "global", "local", "temp", "temporary", "into",
        "insert", "merge", "declare", "with", "hold", "for", "set", "session", "transaction",
        "characteristics", "authorization", "role", "time", "zone", "names", "schema", "xml",
        "option", "constraints", "prepare", "true", "isolation", "read", "deferrable", "explain",
        "level", "pg_temp", "pg_advisory_lock", "pg_advisory_lock_shared", "pg_try_advisory_lock",
        "pg_try_advisory_lock_shared", "set_config"};
    private static final int FIRST_KEYWORD = 10;
    private static final int LISTEN = id("listen");
    private static final int LOAD = id("load");
    private static final int CREATE = id("create");
    private static final int OR = id("or");
    private static final int REPLACE = id("replace");
    private static final int GLOBAL = id("global");
    private static final int LOCAL = id("local");
    private static final int TEMP = id("temp");
    private static final int TEMPORARY = id("temporary");
    private static final int INTO = id("into");
    private static final int INSERT = id("insert");
    private static final int MERGE = id("merge");
    private static final int DECLARE = id("declare");
    private static final int WITH = id("with");
    private static final int HOLD = id("hold");
    private static final int FOR = id("for");
    private static final int SET = id("set");
    private static final int SESSION = id("session");
    private static final int TRANSACTION = id("transaction");
    private static final int CHARACTERISTICS = id("characteristics");
    private static final int AUTHORIZATION = id("authorization");
    private static final int ROLE = id("role");
    private static final int TIME = id("time");
    private static final int ZONE = id("zone");
    private static final int NAMES = id("names");
    private static final int SCHEMA = id("schema");
    private static final int XML = id("xml");
    private static final int OPTION = id("option");
    private static final int CONSTRAINTS = id("constraints");
    private static final int PREPARE = id("prepare");
    private static final int TRUE = id("true");
    private static final int ISOLATION = id("isolation");
    private static final int READ = id("read");
    private static final int DEFERRABLE = id("deferrable");
    private static final int EXPLAIN = id("explain");
    private static final int LEVEL = id("level");
    private static final int PG_TEMP = id("pg_temp");
    private static final int PG_ADVISORY_LOCK = id("pg_advisory_lock");
    private static final int PG_ADVISORY_LOCK_SHARED = id("pg_advisory_lock_shared");
    private static final int PG_TRY_ADVISORY_LOCK = id("pg_try_advisory_lock");
    private static final int PG_TRY_ADVISORY_LOCK_SHARED = id("pg_try_advisory_lock_shared");
    private static final int SET_CONFIG = id("set_config");

    private static final byte[][] KEYWORDS = new byte[FIRST_KEYWORD + KEYWORD_NAMES.length][];
    private static final byte[] PG_TEMP_NAME = "pg_temp".getBytes(StandardCharsets.US_ASCII);
    /** Keyword ids by length, so a word is compared only with keywords of its length. */
    private static final int[][] KEYWORDS_BY_LENGTH;

    static {
        int longest = 0;
        for (int k = 0; k < KEYWORD_NAMES.length; k++) {
            KEYWORDS[FIRST_KEYWORD + k] = KEYWORD_NAMES[k].getBytes(StandardCharsets.US_ASCII);
            longest = Math.max(longest, KEYWORD_NAMES[k].length());
        }
        KEYWORDS_BY_LENGTH = new int[longest + 1][];
        for (int length = 0; length <= longest; length++) {
            int count = 0;
            for (String name : KEYWORD_NAMES) {
                count += name.length() == length ? 1 : 0;
            }
            int[] ids = new int[count];
            count = 0;
            for (int k = 0; k < KEYWORD_NAMES.length; k++) {
                if (KEYWORD_NAMES[k].length() == length) {
                    ids[count++] = FIRST_KEYWORD + k;
                }
            }
            KEYWORDS_BY_LENGTH[length] = ids;
        }
    }

    private SessionStateScanner() {
    }

    private static int id(String keyword) {
        int index = List.of(KEYWORD_NAMES).indexOf(keyword);
        if (index < 0) {
            throw new IllegalStateException("not in KEYWORD_NAMES: " + keyword);
        }
        return FIRST_KEYWORD + index;
    }

    /**
     * The first reason found in the statements in {@code text[from, to)}, or null when none of
     * them creates session state that cannot move.
     *
     * @param trackedSetting whether a session-level SET of this lower-cased setting name is safe
     *     because the pool re-applies it; asked only when a SET or set_config is found
     */
    /** Statements up to this size are copied into a per-thread array; longer ones get their own. */
    private static final int SCRATCH_LIMIT = 64 * 1024;
    private static final FastThreadLocal<byte[]> SCRATCH = new FastThreadLocal<>() {
        @Override
        protected byte[] initialValue() {
            return new byte[SCRATCH_LIMIT];
        }
    };

    static PinReason scan(ByteBuf text, int from, int to, Predicate<String> trackedSetting) {
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(trackedSetting, "trackedSetting");
        Objects.checkFromToIndex(from, to, text.capacity());
        // One copy into a reused array: reading a ByteBuf byte by byte pays bounds and reference
        // count checks on every byte, which cost more than the whole scan of an array.
        int length = to - from;
        byte[] bytes = length <= SCRATCH_LIMIT ? SCRATCH.get() : new byte[length];
        text.getBytes(from, bytes, 0, length);
        PinReason reason = scan(bytes, 0, length, trackedSetting, false);
        if (reason == null && containsBackslash(bytes, 0, length)) {
            // With standard_conforming_strings off, a backslash escapes a quote inside '...'. The
            // pool does not know the client's value, so the text must be harmless read either way.
            reason = scan(bytes, 0, length, trackedSetting, true);
        }
        return reason;
    }

    private static PinReason scan(byte[] b, int from, int to, Predicate<String> tracked,
            boolean backslashEscapes) {
        int statement = OTHER; // the statement's first keyword while its rule still applies
        boolean creates = false;
        int index = 0; // tokens seen in this statement, leading parentheses not counted
        int p1 = SEMICOLON;
        int p2 = SEMICOLON;
        int p3 = SEMICOLON;
        int i = from;
        while ((i = skipSpace(b, i, to)) < to) {
            int start = i;
            i = tokenEnd(b, start, to, backslashEscapes);
            int token = classify(b, start, i);
            if (token == SEMICOLON) {
                statement = OTHER;
                creates = false;
                index = 0;
                p1 = p2 = p3 = SEMICOLON;
                continue;
            }
            if (index == 0 && token == OPEN) {
                continue;
            }
            if (index == 0) {
                statement = token;
                creates = token == CREATE;
                if (token == LISTEN) {
                    return PinReason.LISTEN;
                } else if (token == LOAD) {
                    return PinReason.LOAD;
                } else if (token == SET) {
                    PinReason reason = setStatement(b, i, to, tracked, backslashEscapes);
                    if (reason != null) {
                        return reason;
                    }
                    statement = OTHER;
                }
            } else if (statement == CREATE) {
                if (token == TEMP || token == TEMPORARY) {
                    return PinReason.TEMP_TABLE;
                }
                if (token != OR && token != REPLACE && token != GLOBAL && token != LOCAL) {
                    statement = OTHER;
                }
            } else if (statement == DECLARE) {
                if (token == HOLD && p1 == WITH) {
                    return PinReason.HOLD_CURSOR;
                }
                if (token == FOR) {
                    statement = OTHER;
                }
            } else if (statement == PREPARE) {
                // PREPARE TRANSACTION 'gid' is two-phase commit, not a prepared statement.
                if (index == 1 ? token != TRANSACTION : token != STRING) {
                    return PinReason.PREPARE;
                }
                statement = index == 1 ? PREPARE : OTHER;
            } else if (statement == EXPLAIN && token == CREATE) {
                statement = CREATE; // EXPLAIN ANALYZE CREATE TEMP TABLE ... AS runs it
                creates = true;
            }
            if ((token == TEMP || token == TEMPORARY) && (intoTarget(p1, p2)
                    || (p1 == GLOBAL || p1 == LOCAL) && intoTarget(p2, p3))) {
                return PinReason.TEMP_TABLE;
            }
            if (token == DOT && p1 == PG_TEMP && (creates || intoTarget(p2, p3))) {
                return PinReason.TEMP_TABLE;
            }
            if (token == OPEN) {
                if (p1 >= PG_ADVISORY_LOCK && p1 <= PG_TRY_ADVISORY_LOCK_SHARED) {
                    return PinReason.ADVISORY_LOCK;
                }
                if (p1 == SET_CONFIG) {
                    PinReason reason = setConfigCall(b, i, to, tracked, backslashEscapes);
                    if (reason != null) {
                        return reason;
                    }
                }
            }
            index++;
            p3 = p2;
            p2 = p1;
            p1 = token;
        }
        return null;
    }

    /** SELECT ... INTO [TEMP] name creates a table; INSERT INTO and MERGE INTO do not. */
    private static boolean intoTarget(int into, int before) {
        return into == INTO && before != INSERT && before != MERGE;
    }

    /** A SET statement from the token after SET: the setting it changes, asked of the pool. */
    private static PinReason setStatement(byte[] b, int i, int to, Predicate<String> tracked,
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
    private static PinReason setConfigCall(byte[] b, int i, int to, Predicate<String> tracked,
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

    /** Where the statement that goes on at {@code i} ends: its semicolon, or {@code to}. */
    private static int statementEnd(byte[] b, int i, int to, boolean backslashEscapes) {
        while ((i = skipSpace(b, i, to)) < to) {
            int start = i;
            i = tokenEnd(b, start, to, backslashEscapes);
            if (classify(b, start, i) == SEMICOLON) {
                return start;
            }
        }
        return to;
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

    private static int classify(byte[] b, int start, int end) {
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
        return keyword(b, start, end, true);
    }

    private static int quotedIdentifier(byte[] b, int start, int end) {
        if (end - start < 2 || b[end - 1] != '"') {
            return QUOTED;
        }
        int id = keyword(b, start + 1, end - 1, false);
        return id >= PG_TEMP ? id : QUOTED;
    }

    private static int keyword(byte[] b, int start, int end, boolean foldCase) {
        int length = end - start;
        if (length >= KEYWORDS_BY_LENGTH.length) {
            return WORD;
        }
        for (int id : KEYWORDS_BY_LENGTH[length]) {
            byte[] keyword = KEYWORDS[id];
            int k = 0;
            while (k < length) {
                byte c = b[start + k];
                if ((foldCase ? lowerCase(c) : c) != keyword[k]) {
                    break;
                }
                k++;
            }
            if (k == length) {
                return id;
            }
        }
        return WORD;
    }

    /** The end of the token that starts at {@code i}, which is not white space or a comment. */
    private static int tokenEnd(byte[] b, int i, int to, boolean backslashEscapes) {
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
    private static int skipSpace(byte[] b, int i, int to) {
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

    private static boolean containsBackslash(byte[] b, int from, int to) {
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

    private static byte lowerCase(byte c) {
        return c >= 'A' && c <= 'Z' ? (byte) (c + ('a' - 'A')) : c;
    }
}
