package io.pgwarden.plugin.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgwarden.spi.Identity;
import io.pgwarden.spi.Note;
import io.pgwarden.spi.RefusalContext;
import java.util.Arrays;
import java.util.List;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class EventJsonTest {

    private static final SessionFacts FACTS = new SessionFacts("s1", new InetSocketAddress("127.0.0.1", 5432), "app", "alice",
            new Identity("sub-1", "alice_role", "Alice \"A\" Doe", Set.of("ops", "dev"), "oauth", Map.of()), "primary", "svc_app");

    private static AuditEvent statement(String sql, String tag, String sqlState) {
        return new AuditEvent(AuditEvent.Type.STATEMENT, 0, FACTS, sql, 0, false, tag, sqlState, 12_345_000);
    }

    @Test
    void aStatementCarriesItsSessionIdentityFingerprintAndOutcome() {
        String json = new EventJson(false).render(statement("SELECT * FROM t WHERE id = 42", "SELECT 3", null)).toString();

        assertThat(json).isEqualTo("\"type\":\"statement\",\"time\":\"1970-01-01T00:00:00Z\",\"session\":\"s1\","
                + "\"client\":\"127.0.0.1:5432\",\"database\":\"app\",\"user\":\"alice\",\"role\":\"alice_role\","
                + "\"subject\":\"sub-1\",\"display\":\"Alice \\\"A\\\" Doe\","
                + "\"groups\":[\"dev\",\"ops\"],\"method\":\"oauth\",\"backend\":\"primary\",\"backend_user\":\"svc_app\","
                + "\"protocol\":\"simple\",\"fingerprint\":\"" + new EventJson(false).fingerprint("SELECT * FROM t WHERE id = ?")
                + "\",\"text\":\"SELECT * FROM t WHERE id = ?\",\"command_tag\":\"SELECT 3\",\"rows\":3,\"sqlstate\":null,"
                + "\"duration_us\":12345,\"notes\":[]}");
    }

    @Test
    void thePasswordLiteralNeverReachesTheRecordUnlessRawTextIsOn() {
        AuditEvent event = statement("ALTER ROLE x PASSWORD 'secret'", "ALTER ROLE", null);

        String redacted = new EventJson(false).render(event).toString();
        assertThat(redacted).doesNotContain("secret").contains("\"text\":\"ALTER ROLE x PASSWORD ?\"").doesNotContain("raw_text");
        assertThat(new EventJson(true).render(event).toString()).contains("\"raw_text\":\"ALTER ROLE x PASSWORD 'secret'\"");
    }

    @Test
    void identicalStatementsShareAFingerprint() {
        EventJson json = new EventJson(false);
        String a = json.render(statement("select 1 from t where a = 'x'", "SELECT 1", null)).toString();
        String b = json.render(statement("select  2 from t where a = 'y'", "SELECT 1", null)).toString();

        assertThat(a.substring(a.indexOf("\"fingerprint\""), a.indexOf("\"text\"")))
                .isEqualTo(b.substring(b.indexOf("\"fingerprint\""), b.indexOf("\"text\"")));
    }

    @Test
    void errorsUnknownTextAndControlCharactersAreRendered() {
        String failed = new EventJson(false).render(new AuditEvent(AuditEvent.Type.STATEMENT, 0, FACTS, null, 0, true, "", "42P01", -1)).toString();
        assertThat(failed).contains("\"protocol\":\"extended\",\"fingerprint\":null,\"text\":null,\"command_tag\":\"\","
                + "\"sqlstate\":\"42P01\",\"notes\":[]}");

        String odd = new EventJson(false).render(statement("SELECT \"a\u0001\nb\\\"", "SELECT 1", null)).toString();
        assertThat(odd).contains("\"text\":\"SELECT \\\"a\\u0001\\nb\\\\\\\"\"");
    }

    @Test
    void eachStatementOfAQueryStringGetsItsOwnTextAndTheNextStringIsLexedAfresh() {
        EventJson json = new EventJson(false);
        String sql = "SELECT 1; UPDATE t SET a = 'x'";

        assertThat(json.render(event(sql, 0)).toString()).contains("\"text\":\"SELECT ?\"");
        assertThat(json.render(event(sql, 1)).toString()).contains("\"text\":\"UPDATE t SET a = ?\"");
        assertThat(json.render(event(sql, 2)).toString()).contains("\"text\":\"UPDATE t SET a = ?\"");
        assertThat(json.render(event("DELETE FROM t", 0)).toString()).contains("\"text\":\"DELETE FROM t\"");
        assertThat(json.render(event(sql, 0)).toString()).contains("\"text\":\"SELECT ?\"");
    }

    @Test
    void rememberedPreparedTextsRenderAsFreshOnesAlsoAfterManyOthersPushedThemOut() {
        EventJson json = new EventJson(false);
        String sql = "SELECT a FROM t WHERE id = $1 AND b = 'x'";
        String first = json.render(prepared(sql)).toString();
        assertThat(first).contains("\"text\":\"SELECT a FROM t WHERE id = $1 AND b = ?\"");
        assertThat(json.render(prepared(new String(sql))).toString()).as("an equal text in another String").isEqualTo(first);
        for (int i = 0; i <= EventJson.CACHE_SIZE; i++) {
            assertThat(json.render(prepared("SELECT " + i + " FROM t" + i)).toString()).contains("\"text\":\"SELECT ? FROM t" + i + "\"");
        }
        assertThat(json.render(prepared(sql)).toString()).isEqualTo(first).isEqualTo(new EventJson(false).render(prepared(sql)).toString());
    }

    @Test
    void sessionFieldsFollowTheFactsOfTheSessionAsTheyChange() {
        EventJson json = new EventJson(false);
        SessionFacts before = new SessionFacts("s9", new InetSocketAddress("10.0.0.9", 4009), "app", "alice", null, null, null);
        SessionFacts after = before.authenticated(new Identity("sub-9", "alice", "Alice", Set.of("ops"), "oidc", Map.of()),
                "pg", "app_rw", null);
        assertThat(json.render(AuditEvent.of(AuditEvent.Type.SESSION_START, 0, before, -1)).toString()).doesNotContain("\"role\"");
        assertThat(json.render(AuditEvent.of(AuditEvent.Type.AUTH_SUCCESS, 0, after, -1)).toString())
                .contains("\"role\":\"alice\"", "\"groups\":[\"ops\"]", "\"backend_user\":\"app_rw\"");
        String end = json.render(AuditEvent.of(AuditEvent.Type.SESSION_END, 0, after, 1_000_000)).toString();
        assertThat(end).isEqualTo(new EventJson(false).render(AuditEvent.of(AuditEvent.Type.SESSION_END, 0, after, 1_000_000)).toString());
        assertThat(json.render(AuditEvent.of(AuditEvent.Type.SESSION_START, 0, before, -1)).toString())
                .as("a session id seen again after its end").doesNotContain("\"role\"");
    }

    @Test
    void stringsWithCharactersToEscapeAfterAPlainStartAreEscaped() {
        String rendered = new EventJson(false).render(event("SELECT 'a\"b\\c\u2028d\u0001' AS \"q\"\"x\"", 0)).toString();
        assertThat(rendered).contains("\"text\":\"SELECT ? AS \\\"q\\\"\\\"x\\\"\"");
    }

    @Test
    void textsTooLongToRememberRenderTheSame() {
        EventJson json = new EventJson(false);
        String sql = "SELECT '" + "x".repeat(EventJson.MAX_CACHED_LENGTH) + "' AS a; SELECT 2";
        String first = json.render(event(sql, 1)).toString();
        assertThat(first).contains("\"text\":\"SELECT ?\"");
        assertThat(json.render(event(sql, 0)).toString()).contains("\"text\":\"SELECT ? AS a\"");
        assertThat(json.render(event(sql, 1)).toString()).isEqualTo(first);
    }

    private static AuditEvent prepared(String sql) {
        return new AuditEvent(AuditEvent.Type.STATEMENT, 0, FACTS, sql, 0, true, "SELECT 1", null, -1);
    }

    private static AuditEvent event(String sql, int index) {
        return new AuditEvent(AuditEvent.Type.STATEMENT, 0, FACTS, sql, index, false, "SELECT 1", null, -1);
    }

    @Test
    void aRendererThatRemembersTextsAndTagsRendersEachStatementAsAFreshOne() {
        EventJson json = new EventJson(false);
        List<AuditEvent> events = List.of(statement("SELECT 1 FROM t WHERE a = 'x'", "SELECT 5", null),
                statement("SELECT 2 FROM t WHERE a = 'y'", "SELECT 5", null),
                statement("UPDATE t SET a = 1", "UPDATE 2", null),
                statement("SELECT 3 FROM t WHERE a = 'z'", "SELECT 5", null),
                statement("SELECT 4 FROM t WHERE a = 'w'", "", "57014"),
                statement("CREATE TABLE u (a int)", "CREATE TABLE", null),
                statement("UPDATE t SET a = 2", "UPDATE 2", null));

        for (AuditEvent event : events) {
            assertThat(json.render(event).toString()).isEqualTo(new EventJson(false).render(event).toString());
        }
        assertThat(json.render(events.get(1)).toString()).contains("\"text\":\"SELECT ? FROM t WHERE a = ?\",\"command_tag\":\"SELECT 5\",\"rows\":5,");
        assertThat(json.render(events.get(4)).toString()).contains("\"command_tag\":\"\",\"sqlstate\":\"57014\"");
        assertThat(json.render(events.get(5)).toString()).contains("\"command_tag\":\"CREATE TABLE\",\"sqlstate\":null");
    }

    @Test
    void rowCountsComeFromTheTagsThatHaveThem() {
        assertThat(EventJson.rows("INSERT 0 7")).isEqualTo(7);
        assertThat(EventJson.rows("UPDATE 2")).isEqualTo(2);
        assertThat(EventJson.rows("CREATE TABLE")).isEqualTo(-1);
        assertThat(EventJson.rows("BEGIN")).isEqualTo(-1);
        assertThat(EventJson.rows("")).isEqualTo(-1);
        assertThat(EventJson.rows(null)).isEqualTo(-1);
    }

    @Test
    void sessionEventsCarryNoStatementFields() {
        String start = new EventJson(false).render(AuditEvent.of(AuditEvent.Type.SESSION_START, 0,
                new SessionFacts("s2", new InetSocketAddress("10.0.0.1", 4000), "db", "bob", null, null, null), -1)).toString();
        assertThat(start).isEqualTo("\"type\":\"session_start\",\"time\":\"1970-01-01T00:00:00Z\",\"session\":\"s2\","
                + "\"client\":\"10.0.0.1:4000\",\"database\":\"db\",\"user\":\"bob\"}");
        assertThat(new EventJson(false).render(AuditEvent.of(AuditEvent.Type.SESSION_END, 0, FACTS, 2_500_000_000L)).toString())
                .endsWith("\"duration_ms\":2500}");
    }

    private static AuditEvent execute(String sql, List<String> parameters, List<Note> notes) {
        return new AuditEvent(AuditEvent.Type.STATEMENT, 0, FACTS, sql, 0, true, "UPDATE 1", null, 5_000, parameters, notes, null);
    }

    @Test
    void anExecuteCarriesItsParametersAsThePolicyLeftThem() {
        String redacted = new EventJson(false).render(execute("UPDATE t SET a = $1 WHERE b = $2",
                Arrays.asList("?", null), List.of())).toString();
        assertThat(redacted).contains("\"protocol\":\"extended\",\"fingerprint\":\"",
                "\"text\":\"UPDATE t SET a = $1 WHERE b = $2\",\"params\":[\"?\",null],\"command_tag\":\"UPDATE 1\"");

        String values = new EventJson(false).render(execute("SELECT $1", List.of("it's \"q\""), List.of())).toString();
        assertThat(values).contains("\"params\":[\"it's \\\"q\\\"\"]");

        String none = new EventJson(false).render(execute("SELECT 1", List.of(), List.of())).toString();
        assertThat(none).contains("\"params\":[]");
        assertThat(new EventJson(false).render(statement("SELECT 1", "SELECT 1", null)).toString()).doesNotContain("params");
    }

    @Test
    void notesAreWrittenInTheirOrder() {
        String json = new EventJson(false).render(execute("SELECT 1", List.of(), List.of(
                new Note("router", "route", "replica"), new Note("mask#2", "masked", "email,\"ssn\"")))).toString();

        assertThat(json).endsWith(",\"notes\":[{\"plugin\":\"router\",\"key\":\"route\",\"value\":\"replica\"},"
                + "{\"plugin\":\"mask#2\",\"key\":\"masked\",\"value\":\"email,\\\"ssn\\\"\"}]}");
    }

    @Test
    void aFailedLoginCarriesTheMethodAndSqlStateButNoIdentity() {
        SessionFacts before = new SessionFacts("s3", new InetSocketAddress("10.0.0.2", 4001), "app", "mallory", null, null, null);
        AuditEvent event = AuditEvent.refused(0, before,
                new AuditEvent.Refusal("pgwarden", RefusalContext.Stage.AUTH, "scram-sha-256"), "28P01", null);

        assertThat(new EventJson(false).render(event).toString()).isEqualTo("\"type\":\"auth_failure\",\"time\":\"1970-01-01T00:00:00Z\","
                + "\"session\":\"s3\",\"client\":\"10.0.0.2:4001\",\"database\":\"app\",\"user\":\"mallory\","
                + "\"method\":\"scram-sha-256\",\"sqlstate\":\"28P01\"}");
    }

    @Test
    void aRefusedStatementCarriesWhoRefusedItAndItsNormalizedTextButNeverTheLiteral() {
        AuditEvent event = AuditEvent.refused(0, FACTS, new AuditEvent.Refusal("firewall", RefusalContext.Stage.QUERY, "oauth"),
                "42501", "DELETE FROM t WHERE pw = 'secret'; SELECT 2");

        String json = new EventJson(false).render(event).toString();
        assertThat(json).startsWith("\"type\":\"refusal\",").contains(",\"backend_user\":\"svc_app\","
                + "\"refused_by\":\"firewall\",\"stage\":\"query\",\"sqlstate\":\"42501\",\"fingerprint\":\""
                + new EventJson(false).fingerprint("DELETE FROM t WHERE pw = ?; SELECT ?")
                + "\",\"text\":\"DELETE FROM t WHERE pw = ?; SELECT ?\"}").doesNotContain("secret");
        assertThat(new EventJson(true).render(event).toString()).contains("\"raw_text\":\"DELETE FROM t WHERE pw = 'secret'; SELECT 2\"");
    }

    @Test
    void aRefusalOutsideAStatementHasNoText() {
        AuditEvent limit = AuditEvent.refused(0, FACTS, new AuditEvent.Refusal("pgwarden", RefusalContext.Stage.STARTUP, null),
                "53300", null);
        AuditEvent pluginAtAuth = AuditEvent.refused(0, FACTS, new AuditEvent.Refusal("policy", RefusalContext.Stage.AUTH, "oauth"),
                "28000", null);

        assertThat(new EventJson(false).render(limit).toString()).endsWith(
                "\"refused_by\":\"pgwarden\",\"stage\":\"startup\",\"sqlstate\":\"53300\"}");
        assertThat(new EventJson(false).render(pluginAtAuth).toString()).startsWith("\"type\":\"refusal\"").endsWith(
                "\"refused_by\":\"policy\",\"stage\":\"auth\",\"sqlstate\":\"28000\"}");
    }

    @Test
    void theBackendRoleIsWrittenOnlyWhenItDiffersFromTheBackendUser() {
        SessionFacts start = new SessionFacts("s4", new InetSocketAddress("10.0.0.3", 4002), "app", "alice", null, null, null);
        Identity alice = Identity.ofUser("alice", "oauth");

        String withRole = new EventJson(false).render(AuditEvent.of(AuditEvent.Type.AUTH_SUCCESS, 0,
                start.authenticated(alice, "primary", "svc_app", "reporting"), -1)).toString();
        String sameRole = new EventJson(false).render(AuditEvent.of(AuditEvent.Type.AUTH_SUCCESS, 0,
                start.authenticated(alice, "primary", "svc_app", "svc_app"), -1)).toString();

        assertThat(withRole).endsWith("\"backend_user\":\"svc_app\",\"backend_role\":\"reporting\"}");
        assertThat(sameRole).endsWith("\"backend_user\":\"svc_app\"}");
    }
}
