package io.pgwarden.core.pool;

import static io.pgwarden.core.pool.SqlLexer.classify;
import static io.pgwarden.core.pool.SqlLexer.containsBackslash;
import static io.pgwarden.core.pool.SqlLexer.skipSpace;
import static io.pgwarden.core.pool.SqlLexer.tokenEnd;
import static io.pgwarden.core.pool.SqlToken.*;

import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.FastThreadLocal;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * Tells whether SQL text from a Query or Parse message leaves state in the server session that
 * transaction pooling cannot carry to another server connection, so that the client must stay
 * pinned to its server.
 *
 * <p>This is a lexer that follows PostgreSQL's {@code scan.l} ({@link SqlLexer}: literals, quoted
 * identifiers, nested comments, dollar quoting, escape-string continuation) with a few
 * token-pattern rules on top (those of SET and set_config in {@link SettingChange}), not a parser:
 * it runs on every statement a pooled client sends, so it must be linear in the text and allocate
 * nothing unless a SET names a setting. Where it cannot tell, it pins: a pinned
 * client costs a server connection, a missed pin leaks one client's session state to another.
 */
final class SessionStateScanner {

    /** Statements up to this size are copied into a per-thread array; longer ones get their own. */
    private static final int SCRATCH_LIMIT = 64 * 1024;
    private static final FastThreadLocal<byte[]> SCRATCH = new FastThreadLocal<>() {
        @Override
        protected byte[] initialValue() {
            return new byte[SCRATCH_LIMIT];
        }
    };

    private SessionStateScanner() {
    }

    /**
     * The first reason found in the statements in {@code text[from, to)}, or null when none of
     * them creates session state that cannot move.
     *
     * @param trackedSetting whether a session-level SET of this lower-cased setting name is safe
     *     because the pool re-applies it; asked only when a SET or set_config is found
     */
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
                    PinReason reason = SettingChange.setStatement(b, i, to, tracked, backslashEscapes);
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
                    PinReason reason = SettingChange.setConfigCall(b, i, to, tracked, backslashEscapes);
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
}
