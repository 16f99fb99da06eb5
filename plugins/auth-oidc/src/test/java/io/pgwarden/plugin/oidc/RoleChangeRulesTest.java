package io.pgwarden.plugin.oidc;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class RoleChangeRulesTest {

    @ParameterizedTest
    @ValueSource(strings = {
        "SET ROLE bob",
        "set role bob",
        "SeT RoLe 'bob'",
        "SET SESSION ROLE bob",
        "SET LOCAL ROLE bob",
        "SET ROLE NONE",
        "SET ROLE pgwarden_sso",
        "SET role = bob",
        "SET role TO DEFAULT",
        "SET \"role\" TO bob",
        "SET \"ROLE\" TO bob",
        "SET/**/ROLE bob",
        "SET -- a comment\n ROLE bob",
        "SET /* outer /* nested */ still a comment */ ROLE bob",
        "  \n\t SET\n\nROLE\tbob",
        "SET SESSION AUTHORIZATION bob",
        "SET SESSION SESSION AUTHORIZATION bob",
        "SET LOCAL SESSION AUTHORIZATION DEFAULT",
        "set session /* x */ authorization bob",
        "SET session_authorization = bob",
        "SET \"session_authorization\" TO bob",
        "RESET ROLE",
        "reset /* */ role",
        "RESET SESSION AUTHORIZATION",
        "RESET session_authorization",
        "RESET \"role\"",
        "DISCARD ALL",
        "discard /* x */ all",
        "SELECT 1; DISCARD ALL",
    })
    void roleAndSessionAuthorizationStatementsAreRefused(String sql) {
        assertThat(RoleChangeRules.refusal(sql)).as(sql).isPresent();
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "SELECT 1; SET ROLE bob",
        "SELECT 1;SET ROLE bob;",
        "SELECT 'a;b'; set role bob",
        "BEGIN; SET LOCAL ROLE bob; COMMIT",
        "SELECT $$ $$; SET ROLE bob",
        "SELECT 1 /* ; */ ; RESET ROLE",
    })
    void everyStatementOfAMultiStatementQueryIsChecked(String sql) {
        assertThat(RoleChangeRules.refusal(sql)).as(sql).isPresent();
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "SELECT set_config('role', 'bob', false)",
        "SELECT set_config('ROLE', 'bob', false)",
        "SELECT set_config('session_authorization', 'bob', false)",
        "SELECT pg_catalog.set_config('role', 'bob', false)",
        "SELECT \"pg_catalog\".\"set_config\"('role', 'bob', false)",
        "SELECT \"set_config\"('role', 'bob', false)",
        "SELECT SET_CONFIG('role', 'bob', false)",
        "SELECT set_config /* c */ ( 'role' , 'bob', false)",
        "SELECT set_config(E'role', 'bob', false)",
        "SELECT set_config(E'r\\157le', 'bob', false)",
        "SELECT set_config(E'\\x72ole', 'bob', false)",
        "SELECT set_config(U&'r\\006Fle', 'bob', false)",
        "SELECT set_config('ro'\n'le', 'bob', false)",
        "SELECT set_config('ro' || 'le', 'bob', false)",
        "SELECT set_config('role'::text, 'bob', false)",
        "SELECT set_config(name, 'bob', false) FROM t",
        "SELECT set_config(lower('ROLE'), 'bob', false)",
        "SELECT set_config($1, $2, false)",
        "SELECT set_config($$role$$, 'bob', false)",
        "SELECT set_config(new_value => 'bob', setting_name => 'role', is_local => false)",
        "SELECT set_config('client_encoding', 'SJIS', false)",
        "SELECT x FROM t WHERE set_config IS NULL",
    })
    void setConfigIsRefusedUnlessItsNameIsAPlainLiteralOfAHarmlessSetting(String sql) {
        assertThat(RoleChangeRules.refusal(sql)).as(sql).isPresent();
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "DO $$BEGIN SET ROLE bob; END$$",
        "DO $$BEGIN EXECUTE 'SET ROLE bob'; END$$",
        "DO $$BEGIN EXECUTE format('SET %s %s', 'ROLE', 'bob'); END$$",
        "DO $body$BEGIN PERFORM set_config('role', 'bob', false); END$body$",
        "DO $a$ BEGIN RAISE NOTICE '$$'; SET ROLE bob; END $a$",
        "DO 'BEGIN SET ROLE bob; END'",
        "DO 'BEGIN EXECUTE ''SET ROLE bob''; END'",
        "DO E'BEGIN SET \\x52OLE bob; END'",
        "DO $$BEGIN IF true THEN SET ROLE bob; END IF; END$$",
        "DO $$BEGIN IF true THEN NULL; ELSE RESET ROLE; END IF; END$$",
        "DO $$BEGIN LOOP SET ROLE bob; EXIT; END LOOP; END$$",
        "DO $$BEGIN <<l>> SET ROLE bob; END$$",
        "DO $$BEGIN ALTER FUNCTION f() SET role = bob; END$$",
        "DO $$BEGIN CREATE FUNCTION g() RETURNS void LANGUAGE sql AS 'SET ROLE bob'; END$$",
        "DO $$BEGIN DO $x$BEGIN SET ROLE bob; END$x$; END$$",
        "DO LANGUAGE plperl $$ spi_exec_query('SET ' . 'ROLE bob') $$",
        "DO $$ spi_exec_query('x') $$ LANGUAGE plperl",
        "CREATE FUNCTION f() RETURNS void LANGUAGE sql AS 'SET ROLE bob'",
        "CREATE FUNCTION f() RETURNS void LANGUAGE sql AS $f$ SELECT set_config('role', 'bob', false) $f$",
        "create or replace function f() returns void language plpgsql as $f$ begin execute 'select 1'; end $f$",
        "CREATE PROCEDURE p() LANGUAGE plpgsql AS $p$ BEGIN SET ROLE bob; END $p$",
        "CREATE FUNCTION f() RETURNS void LANGUAGE sql SET role = bob AS 'SELECT 1'",
        "CREATE FUNCTION f() RETURNS void LANGUAGE sql SET role TO bob AS 'SELECT 1'",
        "CREATE FUNCTION f() RETURNS void LANGUAGE sql SET role FROM CURRENT AS 'SELECT 1'",
        "CREATE FUNCTION f() RETURNS void LANGUAGE sql SET session_authorization = bob AS 'SELECT 1'",
        "CREATE FUNCTION f() RETURNS void LANGUAGE plv8 AS $$ plv8.execute('x') $$",
        "CREATE FUNCTION f() RETURNS int LANGUAGE \"plperl\" AS $$ 1 $$",
        "ALTER FUNCTION f() SET role = bob",
        "ALTER PROCEDURE p() SET ROLE TO bob",
        "ALTER ROUTINE f RESET role",
        "CREATE FUNCTION f() RETURNS void LANGUAGE sql AS U&'SET \\0052OLE bob'",
        "DO U&'BEGIN SET \\0052OLE bob; END'",
        "ALTER ROLE alice SET role = bob",
        "ALTER DATABASE app SET session_authorization = bob",
    })
    void doBlocksAndFunctionBodiesAreScannedAndExecuteInThemIsRefused(String sql) {
        assertThat(RoleChangeRules.refusal(sql)).as(sql).isPresent();
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "UPDATE pg_settings SET setting = 'bob' WHERE name = 'role'",
        "update pg_catalog.\"pg_settings\" set setting = 'bob' where name = 'role'",
        "WITH x AS (UPDATE pg_settings SET setting = 'bob' WHERE name = 'role' RETURNING 1) SELECT * FROM x",
        "CREATE VIEW s AS SELECT * FROM pg_settings",
        "SELECT U&\"\\0073et_config\"('role', 'bob', false)",
        "SET client_encoding TO 'SJIS'",
        "SET client_encoding = big5",
        "SET NAMES 'GBK'",
        "SET client_encoding TO U&'SJIS'",
        "SET LOCAL client_encoding TO 'Shift_JIS'",
    })
    void otherWaysToChangeTheRoleOrBlindTheGuardAreRefused(String sql) {
        assertThat(RoleChangeRules.refusal(sql)).as(sql).isPresent();
    }

    @Test
    void aStringThatHidesASetOnlyWhenStandardConformingStringsIsOffIsRefused() {
        // standard_conforming_strings on: one string 'x\' and code; off: 'x\' , ' is a string and SET ROLE is code.
        assertThat(RoleChangeRules.refusal("SELECT 'x\\' , ' ; SET ROLE bob; -- '")).isPresent();
        // The reverse: off, E-style; on, the second quote closes.
        assertThat(RoleChangeRules.refusal("SELECT 'a\\'; SET ROLE bob; --'")).isPresent();
    }

    @Test
    void anEscapeStringRightAfterANumberIsAnEscapeString() {
        assertThat(RoleChangeRules.refusal("SELECT 1E'\\' , ' ; SET ROLE bob; --'")).isPresent();
        assertThat(SqlLexer.tokenize("1E'a'", true).tokens()).extracting(SqlLexer.Token::type)
                .containsExactly(SqlLexer.Type.OTHER, SqlLexer.Type.STRING);
    }

    @Test
    void anEscapeStringContinuedOnTheNextLineKeepsItsEscapes() {
        assertThat(RoleChangeRules.refusal("SELECT E'a'\n'\\' , ' ; SET ROLE bob; --'")).isPresent();
        assertThat(RoleChangeRules.refusal("SELECT E'a' -- c\n'\\' , ' ; SET ROLE bob; --'")).isPresent();
    }

    @Test
    void aLongStatementIsScannedToItsEnd() {
        StringBuilder insert = new StringBuilder("INSERT INTO t (id, role) VALUES (0, 'x')");
        for (int i = 1; i < 200_000; i++) {
            insert.append(", (").append(i).append(", 'role ").append(i).append("')");
        }
        assertThat(RoleChangeRules.refusal(insert.toString())).isEmpty();
        assertThat(RoleChangeRules.refusal(insert + "; SET ROLE bob")).isPresent();
    }

    @Test
    void bodiesNestedTooDeepAreRefused() {
        String sql = "SELECT 1";
        for (int i = 0; i < 10; i++) {
            sql = "DO $b" + i + "$ BEGIN " + sql + "; END $b" + i + "$";
        }
        assertThat(RoleChangeRules.refusal(sql)).hasValueSatisfying(reason -> assertThat(reason).contains("nested"));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "SELECT 1",
        "SELECT role FROM users",
        "SELECT \"role\", name FROM users WHERE role = 'admin'",
        "UPDATE users SET role = 'admin' WHERE id = 1",
        "UPDATE users SET \"role\" = 'admin', name = 'x'",
        "INSERT INTO users (role) VALUES ('SET ROLE bob') ON CONFLICT (id) DO UPDATE SET role = excluded.role",
        "MERGE INTO users u USING n ON u.id = n.id WHEN MATCHED THEN UPDATE SET role = n.role",
        "SELECT 'SET ROLE bob', $$RESET ROLE$$, $x$set_config('role','bob',false)$x$",
        "SELECT 1 -- SET ROLE bob",
        "SELECT 1 /* SET ROLE bob */",
        "SELECT \"SET ROLE bob\" FROM t",
        "SELECT set_config('search_path', 'app, public', false)",
        "SELECT pg_catalog.set_config('application_name', 'x', true)",
        "SELECT set_config('pgwarden.role', 'x', false)",
        "SET search_path = app, public",
        "SET search_path TO 'role'",
        "SET pgwarden.role = 'x'",
        "SET LOCAL statement_timeout = '5s'",
        "SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY",
        "SET client_encoding TO 'UTF8'",
        "SET NAMES 'utf8'",
        "SET client_encoding TO DEFAULT",
        "RESET ALL",
        "DISCARD PLANS",
        "DISCARD TEMP",
        "SELECT discard, all_rows FROM t",
        "RESET search_path",
        "SHOW role",
        "SELECT current_setting('role')",
        "SELECT name, setting FROM pg_settings WHERE name = 'role'",
        "EXECUTE my_statement(1)",
        "PREPARE p AS SELECT 1; EXECUTE p",
        "DO $$BEGIN UPDATE users SET role = 'x'; END$$",
        "DO $$BEGIN PERFORM set_config('search_path', 'app', true); END$$",
        "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1'",
        "CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $f$ BEGIN RETURN 1; END $f$",
        "CREATE TABLE roles (role text, language text)",
        "ALTER TABLE users ALTER COLUMN role SET NOT NULL",
        "CREATE TRIGGER t AFTER INSERT ON x FOR EACH ROW EXECUTE FUNCTION f()",
        "SELECT 'unterminated",
        "SELECT $tag$ unterminated",
        "SELECT x$$y FROM t",
        "SELECT $1::text",
        "",
    })
    void ordinaryStatementsRun(String sql) {
        assertThat(RoleChangeRules.refusal(sql)).as(sql).isEmpty();
    }

    @Test
    void unsafeEncodingsAreKnownByTheirCleanedNames() {
        assertThat(RoleChangeRules.unsafeEncoding("Shift_JIS")).isTrue();
        assertThat(RoleChangeRules.unsafeEncoding("WIN-932")).isTrue();
        assertThat(RoleChangeRules.unsafeEncoding("gb18030")).isTrue();
        assertThat(RoleChangeRules.unsafeEncoding("UTF8")).isFalse();
        assertThat(RoleChangeRules.unsafeEncoding("LATIN1")).isFalse();
        assertThat(RoleChangeRules.unsafeEncoding("EUC_JP")).isFalse();
    }
}
