package io.pgwarden.plugin.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgwarden.spi.Identity;
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
        String json = new EventJson(false).render(statement("SELECT * FROM t WHERE id = 42", "SELECT 3", null));

        assertThat(json).isEqualTo("\"type\":\"statement\",\"time\":\"1970-01-01T00:00:00Z\",\"session\":\"s1\","
                + "\"client\":\"127.0.0.1:5432\",\"database\":\"app\",\"user\":\"alice\",\"role\":\"alice_role\","
                + "\"subject\":\"sub-1\",\"display\":\"Alice \\\"A\\\" Doe\","
                + "\"groups\":[\"dev\",\"ops\"],\"method\":\"oauth\",\"backend\":\"primary\",\"backend_user\":\"svc_app\","
                + "\"protocol\":\"simple\",\"fingerprint\":\"" + new EventJson(false).fingerprint("SELECT * FROM t WHERE id = ?")
                + "\",\"text\":\"SELECT * FROM t WHERE id = ?\",\"command_tag\":\"SELECT 3\",\"rows\":3,\"sqlstate\":null,"
                + "\"duration_us\":12345}");
    }

    @Test
    void thePasswordLiteralNeverReachesTheRecordUnlessRawTextIsOn() {
        AuditEvent event = statement("ALTER ROLE x PASSWORD 'secret'", "ALTER ROLE", null);

        String redacted = new EventJson(false).render(event);
        assertThat(redacted).doesNotContain("secret").contains("\"text\":\"ALTER ROLE x PASSWORD ?\"").doesNotContain("raw_text");
        assertThat(new EventJson(true).render(event)).contains("\"raw_text\":\"ALTER ROLE x PASSWORD 'secret'\"");
    }

    @Test
    void identicalStatementsShareAFingerprint() {
        EventJson json = new EventJson(false);
        String a = json.render(statement("select 1 from t where a = 'x'", "SELECT 1", null));
        String b = json.render(statement("select  2 from t where a = 'y'", "SELECT 1", null));

        assertThat(a.substring(a.indexOf("\"fingerprint\""), a.indexOf("\"text\"")))
                .isEqualTo(b.substring(b.indexOf("\"fingerprint\""), b.indexOf("\"text\"")));
    }

    @Test
    void errorsUnknownTextAndControlCharactersAreRendered() {
        String failed = new EventJson(false).render(new AuditEvent(AuditEvent.Type.STATEMENT, 0, FACTS, null, 0, true, "", "42P01", -1));
        assertThat(failed).contains("\"protocol\":null,\"fingerprint\":null,\"text\":null,\"command_tag\":\"\","
                + "\"sqlstate\":\"42P01\"}");

        String odd = new EventJson(false).render(statement("SELECT \"a\u0001\nb\\\"", "SELECT 1", null));
        assertThat(odd).contains("\"text\":\"SELECT \\\"a\\u0001\\nb\\\\\\\"\"");
    }

    @Test
    void eachStatementOfAQueryStringGetsItsOwnTextAndTheNextStringIsLexedAfresh() {
        EventJson json = new EventJson(false);
        String sql = "SELECT 1; UPDATE t SET a = 'x'";

        assertThat(json.render(event(sql, 0))).contains("\"text\":\"SELECT ?\"");
        assertThat(json.render(event(sql, 1))).contains("\"text\":\"UPDATE t SET a = ?\"");
        assertThat(json.render(event(sql, 2))).contains("\"text\":\"UPDATE t SET a = ?\"");
        assertThat(json.render(event("DELETE FROM t", 0))).contains("\"text\":\"DELETE FROM t\"");
        assertThat(json.render(event(sql, 0))).contains("\"text\":\"SELECT ?\"");
    }

    private static AuditEvent event(String sql, int index) {
        return new AuditEvent(AuditEvent.Type.STATEMENT, 0, FACTS, sql, index, false, "SELECT 1", null, -1);
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
                new SessionFacts("s2", new InetSocketAddress("10.0.0.1", 4000), "db", "bob", null, null, null), -1));
        assertThat(start).isEqualTo("\"type\":\"session_start\",\"time\":\"1970-01-01T00:00:00Z\",\"session\":\"s2\","
                + "\"client\":\"10.0.0.1:4000\",\"database\":\"db\",\"user\":\"bob\"}");
        assertThat(new EventJson(false).render(AuditEvent.of(AuditEvent.Type.SESSION_END, 0, FACTS, 2_500_000_000L)))
                .endsWith("\"duration_ms\":2500}");
    }
}
