package io.pgwarden.core.pool;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The token ids {@link SqlLexer#classify} gives: a few token classes, then one id per keyword or
 * function name that the rules of {@link SessionStateScanner} look at. Ids are ints, not an enum,
 * so that the scanner compares tokens without allocating or dereferencing.
 */
final class SqlToken {

    static final int OTHER = 0;
    static final int WORD = 1;
    static final int QUOTED = 2;
    static final int STRING = 3;
    static final int SEMICOLON = 4;
    static final int OPEN = 5;
    static final int CLOSE = 6;
    static final int COMMA = 7;
    static final int DOT = 8;

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
    static final int FIRST_KEYWORD = 10;
    static final int LISTEN = id("listen");
    static final int LOAD = id("load");
    static final int CREATE = id("create");
    static final int OR = id("or");
    static final int REPLACE = id("replace");
    static final int GLOBAL = id("global");
    static final int LOCAL = id("local");
    static final int TEMP = id("temp");
    static final int TEMPORARY = id("temporary");
    static final int INTO = id("into");
    static final int INSERT = id("insert");
    static final int MERGE = id("merge");
    static final int DECLARE = id("declare");
    static final int WITH = id("with");
    static final int HOLD = id("hold");
    static final int FOR = id("for");
    static final int SET = id("set");
    static final int SESSION = id("session");
    static final int TRANSACTION = id("transaction");
    static final int CHARACTERISTICS = id("characteristics");
    static final int AUTHORIZATION = id("authorization");
    static final int ROLE = id("role");
    static final int TIME = id("time");
    static final int ZONE = id("zone");
    static final int NAMES = id("names");
    static final int SCHEMA = id("schema");
    static final int XML = id("xml");
    static final int OPTION = id("option");
    static final int CONSTRAINTS = id("constraints");
    static final int PREPARE = id("prepare");
    static final int TRUE = id("true");
    static final int ISOLATION = id("isolation");
    static final int READ = id("read");
    static final int DEFERRABLE = id("deferrable");
    static final int EXPLAIN = id("explain");
    static final int LEVEL = id("level");
    static final int PG_TEMP = id("pg_temp");
    static final int PG_ADVISORY_LOCK = id("pg_advisory_lock");
    static final int PG_ADVISORY_LOCK_SHARED = id("pg_advisory_lock_shared");
    static final int PG_TRY_ADVISORY_LOCK = id("pg_try_advisory_lock");
    static final int PG_TRY_ADVISORY_LOCK_SHARED = id("pg_try_advisory_lock_shared");
    static final int SET_CONFIG = id("set_config");

    private static final byte[][] KEYWORDS = new byte[FIRST_KEYWORD + KEYWORD_NAMES.length][];
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

    private SqlToken() {
    }

    private static int id(String keyword) {
        int index = List.of(KEYWORD_NAMES).indexOf(keyword);
        if (index < 0) {
            throw new IllegalStateException("not in KEYWORD_NAMES: " + keyword);
        }
        return FIRST_KEYWORD + index;
    }

    static int keyword(byte[] b, int start, int end, boolean foldCase) {
        int length = end - start;
        if (length >= KEYWORDS_BY_LENGTH.length) {
            return WORD;
        }
        for (int id : KEYWORDS_BY_LENGTH[length]) {
            byte[] keyword = KEYWORDS[id];
            int k = 0;
            while (k < length) {
                byte c = b[start + k];
                if ((foldCase ? SqlLexer.lowerCase(c) : c) != keyword[k]) {
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
}
