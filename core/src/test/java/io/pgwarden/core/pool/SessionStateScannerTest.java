package io.pgwarden.core.pool;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.lang.management.ManagementFactory;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SessionStateScannerTest {

    /** The settings PostgreSQL reports through ParameterStatus (PG 18), as the pool passes them. */
    private static final Set<String> REPORTED = Set.of("application_name", "client_encoding",
            "datestyle", "default_transaction_read_only", "in_hot_standby", "integer_datetimes",
            "intervalstyle", "is_superuser", "scram_iterations", "search_path", "server_encoding",
            "server_version", "session_authorization", "standard_conforming_strings", "timezone");

    private static PinReason scan(String sql) {
        return scan(sql, REPORTED::contains);
    }

    private static PinReason scan(String sql, Predicate<String> tracked) {
        ByteBuf text = Unpooled.wrappedBuffer(sql.getBytes(StandardCharsets.UTF_8));
        try {
            return SessionStateScanner.scan(text, 0, text.writerIndex(), tracked);
        } finally {
            text.release();
        }
    }

    /** Runs the scan and returns the setting names the scanner asked about. */
    private static List<String> asked(String sql) {
        return asked(sql, REPORTED::contains);
    }

    private static List<String> asked(String sql, Predicate<String> tracked) {
        List<String> asked = new ArrayList<>();
        scan(sql, name -> {
            asked.add(name);
            return tracked.test(name);
        });
        return asked;
    }

    @Nested
    class Listen {
        @ParameterizedTest
        @ValueSource(strings = {"LISTEN chan", "listen chan;", "  \n\tListen \"Chan\"",
            "/* why */ LISTEN c", "-- note\nLISTEN c", "SELECT 1; LISTEN c", "LISTEN c; SELECT 1"})
        void listenPins(String sql) {
            assertThat(scan(sql)).isEqualTo(PinReason.LISTEN);
        }

        @ParameterizedTest
        @ValueSource(strings = {"UNLISTEN chan", "UNLISTEN *", "NOTIFY chan", "SELECT listen FROM t",
            "SELECT 'LISTEN c'", "SELECT 1 -- ; LISTEN c", "SELECT 1 /* ; LISTEN c */",
            "LISTENER c", "SELECT \"LISTEN\" FROM t", "SELECT pg_notify('c', 'LISTEN x')"})
        void nearMissesDoNotPin(String sql) {
            assertThat(scan(sql)).isNull();
        }
    }

    @Nested
    class AdvisoryLocks {
        @ParameterizedTest
        @ValueSource(strings = {"SELECT pg_advisory_lock(1)", "select PG_ADVISORY_LOCK(1, 2)",
            "SELECT pg_advisory_lock_shared(42)", "SELECT pg_try_advisory_lock(7)",
            "SELECT pg_try_advisory_lock_shared(7)", "SELECT pg_catalog.pg_advisory_lock(1)",
            "SELECT pg_advisory_lock (1)", "SELECT pg_advisory_lock/* c */(1)",
            "SELECT x FROM t WHERE pg_try_advisory_lock(id)", "SELECT \"pg_advisory_lock\"(1)",
            "WITH l AS (SELECT pg_advisory_lock(1)) SELECT * FROM l",
            "SELECT 1; SELECT pg_advisory_lock(hashtext('job'))"})
        void sessionLockCallsPin(String sql) {
            assertThat(scan(sql)).isEqualTo(PinReason.ADVISORY_LOCK);
        }

        @ParameterizedTest
        @ValueSource(strings = {"SELECT pg_advisory_xact_lock(1)",
            "SELECT pg_advisory_xact_lock_shared(1)", "SELECT pg_try_advisory_xact_lock(1)",
            "SELECT pg_try_advisory_xact_lock_shared(1)", "SELECT pg_advisory_unlock(1)",
            "SELECT my_pg_advisory_lock(1)", "SELECT pg_advisory_lock2(1)",
            "SELECT 'pg_advisory_lock(1)'", "SELECT $$pg_advisory_lock(1)$$",
            "SELECT $fn$ pg_advisory_lock(1) $fn$", "SELECT e'\\' pg_advisory_lock(1)'",
            "SELECT \"pg_advisory_lock(\"", "-- pg_advisory_lock(1)\nSELECT 1",
            "SELECT pg_advisory_lock FROM t", "SELECT \"PG_ADVISORY_LOCK\"(1)"})
        void nearMissesDoNotPin(String sql) {
            assertThat(scan(sql)).isNull();
        }
    }

    @Nested
    class TemporaryTables {
        @ParameterizedTest
        @ValueSource(strings = {"CREATE TEMP TABLE t (a int)", "create temporary table t (a int)",
            "CREATE GLOBAL TEMPORARY TABLE t (a int)", "CREATE LOCAL TEMP TABLE t AS SELECT 1",
            "CREATE TEMP VIEW v AS SELECT 1", "CREATE OR REPLACE TEMP VIEW v AS SELECT 1",
            "CREATE OR REPLACE TEMPORARY RECURSIVE VIEW v(n) AS SELECT 1",
            "CREATE TEMP SEQUENCE s", "SELECT * INTO TEMP t FROM x",
            "SELECT a, b INTO TEMPORARY TABLE t FROM x", "SELECT 1 INTO LOCAL TEMP t",
            "WITH q AS (SELECT 1) SELECT * INTO TEMP t FROM q", "(SELECT 1 INTO TEMP t)",
            "CREATE TABLE pg_temp.t (a int)", "CREATE VIEW pg_temp.v AS SELECT 1",
            "CREATE FUNCTION pg_temp.f() RETURNS int LANGUAGE sql AS 'SELECT 1'",
            "SELECT * INTO pg_temp.t FROM x", "EXPLAIN ANALYZE CREATE TEMP TABLE t AS SELECT 1",
            "( ( CREATE TEMP TABLE t () ) )", "/*a*/ /*b /* nested */ */ CREATE TEMP TABLE t ()"})
        void temporaryObjectsPin(String sql) {
            assertThat(scan(sql)).isEqualTo(PinReason.TEMP_TABLE);
        }

        @ParameterizedTest
        @ValueSource(strings = {"CREATE TABLE t (a int)", "CREATE UNLOGGED TABLE t (a int)",
            "CREATE TABLE temp (a int)", "CREATE TABLE t (temp int)", "SELECT * INTO t FROM x",
            "INSERT INTO temp VALUES (1)", "INSERT INTO temp.t VALUES (1)",
            "MERGE INTO temp USING s ON true WHEN MATCHED THEN DELETE", "SELECT temp FROM t",
            "SELECT 'CREATE TEMP TABLE t'", "CREATE VIEW v AS SELECT temp FROM temporary",
            "SELECT * FROM pg_temp.t", "CREATE TABLE \"temp\" (a int)", "DROP TABLE t"})
        void nearMissesDoNotPin(String sql) {
            assertThat(scan(sql)).isNull();
        }
    }

    @Nested
    class HoldCursors {
        @ParameterizedTest
        @ValueSource(strings = {"DECLARE c CURSOR WITH HOLD FOR SELECT 1",
            "declare c binary no scroll cursor with hold for select 1",
            "DECLARE \"c\" INSENSITIVE SCROLL CURSOR WITH /* x */ HOLD FOR SELECT 1",
            "BEGIN; DECLARE c CURSOR WITH HOLD FOR SELECT 1; COMMIT"})
        void withHoldPins(String sql) {
            assertThat(scan(sql)).isEqualTo(PinReason.HOLD_CURSOR);
        }

        @ParameterizedTest
        @ValueSource(strings = {"DECLARE c CURSOR FOR SELECT 1",
            "DECLARE c CURSOR WITHOUT HOLD FOR SELECT 1",
            "DECLARE hold CURSOR FOR WITH hold AS (SELECT 1) SELECT * FROM hold",
            "DECLARE c CURSOR FOR SELECT 'WITH HOLD'", "FETCH 10 FROM c", "CLOSE c",
            "SELECT 1 WITH HOLD"})
        void nearMissesDoNotPin(String sql) {
            assertThat(scan(sql)).isNull();
        }
    }

    @Nested
    class SessionSettings {
        @ParameterizedTest
        @ValueSource(strings = {"SET statement_timeout = 0", "set Statement_Timeout to '5s'",
            "SET SESSION work_mem = '64MB'", "SET myapp.user = 'bob'", "SET \"myapp\".\"user\" TO 1",
            "SET ROLE admin", "SET role TO admin", "SET SESSION ROLE admin",
            "SET SESSION AUTHORIZATION bob", "SET SESSION AUTHORIZATION DEFAULT",
            "SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL SERIALIZABLE",
            "SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY, DEFERRABLE",
            "SET XML OPTION DOCUMENT", "SET statement_timeout FROM CURRENT",
            "SET TimeZone = 'UTC'; SET lock_timeout = 1", "SELECT set_config('work_mem', '1MB', false)",
            "SELECT pg_catalog.set_config('work_mem', '1MB', false)",
            "SELECT set_config('work_mem', '1MB', $1)", "SELECT set_config('work_mem', '1MB', 't')",
            "SELECT set_config('work_mem', '1MB', true AND false)", "SELECT set_config(name, v, false)",
            "SELECT set_config('TimeZone' || '', 'UTC', false)", "SELECT set_config('work_mem', '1MB'",
            "SELECT set_config(set_config('a.b', 'x', true), 'y', true)"})
        void untrackedSessionSettingsPin(String sql) {
            assertThat(scan(sql)).isEqualTo(PinReason.SET);
        }

        @ParameterizedTest
        @ValueSource(strings = {"SET TimeZone = 'UTC'", "SET TIME ZONE 'Europe/Paris'",
            "SET SESSION TIME ZONE LOCAL", "SET application_name TO 'app'", "SET NAMES 'UTF8'",
            "SET SCHEMA 'app'", "SET search_path = app, public", "SET \"DateStyle\" = ISO",
            "SET LOCAL statement_timeout = 0", "SET LOCAL ROLE admin",
            "SET TRANSACTION ISOLATION LEVEL SERIALIZABLE", "SET TRANSACTION SNAPSHOT '0-1'",
            "SET CONSTRAINTS ALL DEFERRED", "SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE",
            "RESET statement_timeout", "ALTER ROLE bob SET work_mem = '1MB'",
            "UPDATE t SET statement_timeout = 1", "SELECT set_config('work_mem', '1MB', true)",
            "SELECT set_config('work_mem', f('a', 'b'), TRUE)", "SELECT set_config('TimeZone', 'UTC', false)",
            "SELECT current_setting('work_mem')", "SELECT 'SET work_mem = 1'", "SET", "SET ;",
            "SELECT my_set_config('work_mem', '1MB', false)"})
        void transactionScopedOrTrackedSettingsDoNotPin(String sql) {
            assertThat(scan(sql)).isNull();
        }

        @Test
        void settingNamesAreLowerCasedAsSettingsAreLookedUpAndJoinedWithDots() {
            assertThat(asked("SET Statement_Timeout = 0")).containsExactly("statement_timeout");
            assertThat(asked("SET \"MyApp\" . \"User\" = 0")).containsExactly("myapp.user");
            assertThat(asked("SET myapp.\"a\"\"b\" = 0")).containsExactly("myapp.a\"b");
            assertThat(asked("SET SESSION \"weird name\" = 0")).containsExactly("weird name");
            assertThat(asked("SET TIME ZONE 'UTC'")).containsExactly("timezone");
            assertThat(asked("SET NAMES 'UTF8'")).containsExactly("client_encoding");
            assertThat(asked("SET SCHEMA 'a'")).containsExactly("search_path");
            assertThat(asked("SET ROLE admin")).containsExactly("role");
            assertThat(asked("SET XML OPTION CONTENT")).containsExactly("xmloption");
            assertThat(asked("SET role.x = 1")).containsExactly("role.x");
            assertThat(asked("SET smörgås = 1")).containsExactly("smörgås");
            assertThat(asked("SELECT set_config('Work_Mem', '1', false)")).containsExactly("work_mem");
        }

        @Test
        void sessionCharacteristicsAskForEachDefaultTheyChange() {
            assertThat(asked("SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL READ "
                    + "COMMITTED, NOT DEFERRABLE")).containsExactly("default_transaction_isolation");
            assertThat(asked("SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL READ "
                    + "COMMITTED", name -> true)).containsExactly("default_transaction_isolation");
            assertThat(asked("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY, NOT DEFERRABLE"))
                    .containsExactly("default_transaction_read_only", "default_transaction_deferrable");
        }

        @Test
        void settingNamesTooLongForAnyTrackedSettingPinWithoutAsking() {
            String longName = "a".repeat(64);
            assertThat(scan("SET " + longName + " = 1", name -> true)).isEqualTo(PinReason.SET);
            String dotted = ("abcdefghij.").repeat(30) + "x";
            assertThat(scan("SET " + dotted + " = 1", name -> true)).isEqualTo(PinReason.SET);
            assertThat(scan("SET a. = 1", name -> true)).isEqualTo(PinReason.SET);
        }

        @ParameterizedTest
        @ValueSource(strings = {"SET search_path = pg_temp, public", "SET search_path TO 'PG_TEMP'",
            "SET SCHEMA 'pg_temp'", "SET search_path = \"$user\", public, pg_temp; SELECT 1",
            "SELECT set_config('search_path', 'pg_temp,public', false)",
            "SET LOCAL search_path = pg_temp, public", "SET LOCAL SCHEMA 'pg_temp'",
            "SELECT set_config('search_path', 'pg_temp', true)"})
        void aSearchPathNamingPgTempPinsEvenLocallyBecauseCreateTableWouldBeTemporary(String sql) {
            assertThat(scan(sql)).isEqualTo(PinReason.TEMP_TABLE);
        }

        @Test
        void pgTempAfterTheSearchPathStatementDoesNotCount() {
            assertThat(scan("SET search_path = public; SELECT * FROM pg_temp.t")).isNull();
            assertThat(scan("SELECT set_config('search_path', 'public', false), 'pg_temp'")).isNull();
            assertThat(scan("SET LOCAL search_path = public; SELECT * FROM pg_temp.t")).isNull();
        }

        @Test
        void theTrackedPredicateDecides() {
            assertThat(scan("SET statement_timeout = 0", "statement_timeout"::equals)).isNull();
            assertThat(scan("SET TimeZone = 'UTC'", name -> false)).isEqualTo(PinReason.SET);
        }

        @Test
        void noSettingIsAskedAboutWithoutASet() {
            assertThat(asked("SELECT * FROM t WHERE a = 'SET x = 1'; UPDATE t SET a = 1;"
                    + " CREATE FUNCTION f() RETURNS int SET search_path = a AS 'SELECT 1'"
                    + " LANGUAGE sql; SELECT settings FROM set_config")).isEmpty();
        }
    }

    @Nested
    class Prepare {
        @ParameterizedTest
        @ValueSource(strings = {"PREPARE q AS SELECT 1", "prepare q(int) as select $1",
            "PREPARE transaction AS SELECT 1", "SELECT 1; PREPARE q AS SELECT 2"})
        void sqlPreparePins(String sql) {
            assertThat(scan(sql)).isEqualTo(PinReason.PREPARE);
        }

        @ParameterizedTest
        @ValueSource(strings = {"EXECUTE q(1)", "DEALLOCATE q", "DEALLOCATE ALL",
            "PREPARE TRANSACTION 'gid-1'", "COMMIT PREPARED 'gid-1'", "SELECT 'PREPARE q AS 1'",
            "SELECT prepare FROM t"})
        void nearMissesDoNotPin(String sql) {
            assertThat(scan(sql)).isNull();
        }
    }

    @Nested
    class Load {
        @Test
        void loadPins() {
            assertThat(scan("LOAD 'auto_explain'")).isEqualTo(PinReason.LOAD);
            assertThat(scan("load '$libdir/plugins/x'")).isEqualTo(PinReason.LOAD);
        }

        @Test
        void loadAsAWordElsewhereDoesNotPin() {
            assertThat(scan("SELECT load FROM jobs")).isNull();
            assertThat(scan("UPDATE t SET load = 1")).isNull();
            assertThat(scan("SELECT 1 AS loader")).isNull();
        }
    }

    @Nested
    class Lexing {
        @ParameterizedTest
        @ValueSource(strings = {"SELECT 'it''s; LISTEN c'", "SELECT E'\\'; LISTEN c; --'",
            "SELECT e'a\\\\' || 'b'", "SELECT $$; LISTEN c; $$", "SELECT $a$ $$; LISTEN c; $$ $a$",
            "SELECT \"a\"\"; LISTEN c\"", "SELECT 1 /* /* */ ; LISTEN c */",
            "SELECT 1 -- ; LISTEN c", "SELECT U&'d\\0061t\\+000061; LISTEN c'",
            "SELECT a$$b; LISTEN$$ FROM t", "SELECT E'a'\n'\\'; LISTEN c; --'"})
        void quotedAndCommentedTextIsNotStatements(String sql) {
            assertThat(scan(sql)).isNull();
        }

        @ParameterizedTest
        @ValueSource(strings = {"SELECT 'a\\'; LISTEN c; --'", "SELECT $1; LISTEN c",
            "SELECT '' ; LISTEN c", "SELECT $a$ x $a$; LISTEN c", "SELECT 1 /* a */; LISTEN c",
            "SELECT 'a' 'b'; LISTEN c", "SELECT E'a\\'' ; LISTEN c", "SELECT 1;;;LISTEN c",
            "SELECT x$; LISTEN c", "SELECT $; LISTEN c", "SELECT E'a'\n'\\''; LISTEN c; --'"})
        void statementsAfterClosedQuotesAreSeen(String sql) {
            assertThat(scan(sql)).isEqualTo(PinReason.LISTEN);
        }

        @Test
        void backslashInPlainLiteralIsReadBothWays() {
            // standard_conforming_strings off: the literal ends at the last quote, nothing runs.
            // on: LISTEN runs. The scanner cannot know which, so it pins.
            assertThat(scan("SELECT 'a\\'; LISTEN c; --'")).isEqualTo(PinReason.LISTEN);
            // off: 'a\'' is a'; LISTEN runs. on: the literal runs to the end.
            assertThat(scan("SELECT 'a\\''; LISTEN c; --'")).isEqualTo(PinReason.LISTEN);
        }

        @ParameterizedTest
        @ValueSource(strings = {"", " ", ";", "(((", ")))", "'", "\"", "$$", "$a$", "/*", "/* /*",
            "--", "E'", "e'\\", "SET", "SET SESSION", "SET \"", "SET a.", "PREPARE",
            "SELECT set_config(", "SELECT set_config('", "DECLARE", "CREATE", "SELECT 1 INTO",
            "SELECT pg_advisory_lock", "$1", "\u0000\u0001", "SET \"unterminated"})
        void truncatedInputNeverThrows(String sql) {
            scan(sql);
        }

        @Test
        void unterminatedSetNameDoesNotThrowAndPins() {
            assertThat(scan("SET \"unterminated", name -> false)).isEqualTo(PinReason.SET);
            assertThat(scan("SET \"unterminated \"\"", name -> false)).isEqualTo(PinReason.SET);
        }
    }

    @Test
    void firstReasonFoundWins() {
        assertThat(scan("SELECT 1; LISTEN a; LOAD 'x'")).isEqualTo(PinReason.LISTEN);
        assertThat(scan("PREPARE q AS SELECT 1; LISTEN a")).isEqualTo(PinReason.PREPARE);
    }

    @Test
    void mixedCaseKeywords() {
        assertThat(scan("LiStEn c")).isEqualTo(PinReason.LISTEN);
        assertThat(scan("cReAtE tEmP tAbLe t ()")).isEqualTo(PinReason.TEMP_TABLE);
        assertThat(scan("Select Pg_Advisory_Lock(1)")).isEqualTo(PinReason.ADVISORY_LOCK);
        assertThat(scan("dEcLaRe c CuRsOr WiTh HoLd FoR select 1")).isEqualTo(PinReason.HOLD_CURSOR);
    }

    @Test
    void ordinaryApplicationStatementsDoNotPin() {
        assertThat(scan("BEGIN; SELECT * FROM accounts WHERE id = $1 FOR UPDATE; UPDATE accounts"
                + " SET balance = balance - $2 WHERE id = $1; INSERT INTO history VALUES ($1, $2);"
                + " COMMIT")).isNull();
        assertThat(scan("SELECT n.nspname, c.relname FROM pg_catalog.pg_class c"
                + " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE c.relname ~ '^t'"))
                .isNull();
        assertThat(scan("DISCARD ALL")).isNull();
    }

    @Test
    void onlyTheGivenRangeOfALargerBufferIsScanned() {
        byte[] prefix = "LISTEN before; SELECT 1; ".getBytes(StandardCharsets.UTF_8);
        byte[] middle = "SELECT 2; CREATE TEMP TABLE t ()".getBytes(StandardCharsets.UTF_8);
        byte[] suffix = "; LOAD 'after'".getBytes(StandardCharsets.UTF_8);
        ByteBuf buffer = PooledByteBufAllocator.DEFAULT.buffer();
        try {
            buffer.writeBytes(prefix).writeBytes(middle).writeBytes(suffix);
            int from = prefix.length;
            int to = from + middle.length;
            assertThat(SessionStateScanner.scan(buffer, from, to, name -> false))
                    .isEqualTo(PinReason.TEMP_TABLE);
            // The range ends inside "TEMP": what follows must not be read.
            assertThat(SessionStateScanner.scan(buffer, from, to - 14, name -> false)).isNull();
            assertThat(SessionStateScanner.scan(buffer, from, from, name -> false)).isNull();
            assertThat(buffer.readerIndex()).isZero();
            assertThat(buffer.writerIndex()).isEqualTo(prefix.length + middle.length + suffix.length);
        } finally {
            buffer.release();
        }
    }

    @Test
    void aTokenCutByTheRangeEndIsNotCompletedFromBeyondIt() {
        ByteBuf buffer = Unpooled.wrappedBuffer("LISTEN c".getBytes(StandardCharsets.US_ASCII));
        try {
            assertThat(SessionStateScanner.scan(buffer, 0, 6, name -> false)).isEqualTo(PinReason.LISTEN);
            assertThat(SessionStateScanner.scan(buffer, 0, 5, name -> false)).isNull();
            assertThat(SessionStateScanner.scan(buffer, 1, 8, name -> false)).isNull();
        } finally {
            buffer.release();
        }
    }

    @Nested
    class HostileInput {
        private static final String[] FRAGMENTS = {"'", "''", "\"", "$", "$$", "$a$", "$1", "/*",
            "*/", "--", "\n", " ", "\\", "E'", "e'", "(", ")", ";", ",", ".", "=", "SET ", "set ",
            "LISTEN ", "SESSION ", "LOCAL ", "TIME ZONE ", "CREATE ", "TEMP ", "INTO ", "DECLARE ",
            "WITH HOLD ", "PREPARE ", "TRANSACTION ", "LOAD ", "pg_advisory_lock", "set_config",
            "true", "pg_temp", "\"x\"", "a", "Z9", "\u00e9", "\u20ac"};

        @Test
        void randomSqlLikeInputsNeverThrowAndOnlyTheRangeIsRead() {
            Random random = new Random(20261121L);
            for (int round = 0; round < 20_000; round++) {
                StringBuilder sql = new StringBuilder();
                int pieces = random.nextInt(25);
                for (int p = 0; p < pieces; p++) {
                    sql.append(FRAGMENTS[random.nextInt(FRAGMENTS.length)]);
                }
                assertScansAloneAndInsideJunkAlike(sql.toString().getBytes(StandardCharsets.UTF_8),
                        random);
            }
        }

        @Test
        void randomBytesNeverThrowAndOnlyTheRangeIsRead() {
            Random random = new Random(7L);
            for (int round = 0; round < 10_000; round++) {
                byte[] text = new byte[random.nextInt(200)];
                random.nextBytes(text);
                assertScansAloneAndInsideJunkAlike(text, random);
            }
        }

        /** Scans text alone and between random junk: same answer, and SET only asked about with "set". */
        private void assertScansAloneAndInsideJunkAlike(byte[] text, Random random) {
            byte[] before = new byte[random.nextInt(16)];
            byte[] after = new byte[random.nextInt(16)];
            random.nextBytes(before);
            random.nextBytes(after);
            boolean mentionsSet = new String(text, StandardCharsets.ISO_8859_1)
                    .toLowerCase(Locale.ROOT).contains("set");
            AtomicBoolean asked = new AtomicBoolean();
            Predicate<String> tracked = name -> {
                asked.set(true);
                return name.hashCode() % 2 == 0;
            };
            ByteBuf alone = Unpooled.wrappedBuffer(text);
            ByteBuf inside = Unpooled.wrappedBuffer(before, text, after);
            try {
                PinReason expected = SessionStateScanner.scan(alone, 0, text.length, tracked);
                assertThat(SessionStateScanner.scan(inside, before.length,
                        before.length + text.length, tracked))
                        .as("%s", alone.toString(StandardCharsets.ISO_8859_1)).isEqualTo(expected);
                assertThat(asked.get() && !mentionsSet).as("asked without a SET").isFalse();
            } finally {
                alone.release();
                inside.release();
            }
        }

        @ParameterizedTest
        @ValueSource(strings = {"$a", "$abc$ x $ab", "/*", "*/", "(", "set_config(",
            "set_config('a', 'b', true) ", "SELECT 1; ", "'\\", "E'a'\n", "\"", "--\n", "a.",
            "$", "$a$ $a", "e'\\'\n'", "INTO TEMP", "\u00ff\u00fe", "DECLARE c CURSOR WITH ",
            "set_config('search_path', 'public', false), ", "search_path = a, "})
        @Timeout(30)
        void hugeRepetitiveInputIsScannedInLinearTime(String unit) {
            String sql = "SET " + unit.repeat(2_000_000 / unit.length());
            assertThat(scan(sql, name -> false)).isIn(null, PinReason.SET, PinReason.TEMP_TABLE);
            scan(sql, name -> true);
            scan("SELECT " + unit.repeat(2_000_000 / unit.length()), name -> true);
        }

        @Test
        void scanningWithoutASetAllocatesNothing() {
            com.sun.management.ThreadMXBean threads =
                    (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
            Assumptions.assumeTrue(threads.isThreadAllocatedMemorySupported()
                    && threads.isThreadAllocatedMemoryEnabled());
            byte[] sql = ("SELECT a, 'b''c', $$d$$, $t$e$t$, \"F\" FROM t /* x /* y */ */ WHERE"
                    + " pg_advisory_xact_lock(1) -- z\n; DECLARE c CURSOR FOR SELECT 1;"
                    + " SET LOCAL x = 1; SET TRANSACTION READ ONLY; CREATE TABLE t (temp int);"
                    + " INSERT INTO temp VALUES (E'\\n'); UNLISTEN *; EXECUTE q(1)")
                    .getBytes(StandardCharsets.UTF_8);
            ByteBuf text = Unpooled.wrappedBuffer(sql);
            Predicate<String> tracked = name -> false;
            try {
                for (int warmUp = 0; warmUp < 20_000; warmUp++) {
                    assertThat(SessionStateScanner.scan(text, 0, sql.length, tracked)).isNull();
                }
                int pins = 0;
                long before = threads.getCurrentThreadAllocatedBytes();
                for (int round = 0; round < 10_000; round++) {
                    pins += SessionStateScanner.scan(text, 0, sql.length, tracked) == null ? 0 : 1;
                }
                long allocated = threads.getCurrentThreadAllocatedBytes() - before;
                assertThat(pins).isZero();
                assertThat(allocated).as("bytes allocated by 10,000 scans").isLessThan(10_000);
            } finally {
                text.release();
            }
        }
    }
}
