package io.pgwarden.core.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SettingsPlanTest {

    private final List<PooledServer> servers = new ArrayList<>();

    @AfterEach
    void closeChannels() {
        servers.forEach(server -> server.channel().close());
    }

    /** What PostgreSQL 17 reports at startup, in its order, for a pool login without startup settings. */
    private static Map<String, String> startupReport() {
        Map<String, String> reported = new LinkedHashMap<>();
        reported.put("application_name", "");
        reported.put("client_encoding", "UTF8");
        reported.put("DateStyle", "ISO, MDY");
        reported.put("default_transaction_read_only", "off");
        reported.put("in_hot_standby", "off");
        reported.put("integer_datetimes", "on");
        reported.put("IntervalStyle", "postgres");
        reported.put("is_superuser", "off");
        reported.put("scram_iterations", "4096");
        reported.put("server_encoding", "UTF8");
        reported.put("server_version", "17.2");
        reported.put("session_authorization", "app");
        reported.put("standard_conforming_strings", "on");
        reported.put("TimeZone", "UTC");
        return reported;
    }

    private PooledServer server() {
        PooledServer server = PooledServers.reporting(startupReport());
        servers.add(server);
        return server;
    }

    /** A client logged in on a server like {@link #server()} with these startup parameters. */
    private static ClientSettings client(Map<String, String> startup, List<String> init) {
        Map<String, String> parameters = new LinkedHashMap<>(Map.of("user", "alice", "database", "app"));
        parameters.putAll(startup);
        ClientSettings settings = ClientSettings.fromStartup(parameters, startupReport().keySet(), init);
        settings.seen(startupReport());
        return settings;
    }

    private static String set(String name, String value) {
        return "SELECT pg_catalog.set_config(E'" + name + "', E'" + value + "', false);";
    }

    /** Every reported setting the proxy may set, in the server's order, as set_config calls. */
    private static String everyMovableSetting() {
        return set("application_name", "") + set("client_encoding", "UTF8") + set("DateStyle", "ISO, MDY")
                + set("default_transaction_read_only", "off") + set("IntervalStyle", "postgres")
                + set("scram_iterations", "4096") + set("standard_conforming_strings", "on") + set("TimeZone", "UTC");
    }

    @Test
    void serverWithTheClientsStateNeedsNoStatements() {
        assertThat(plan(server(), client(Map.of(), List.of()))).isNull();
    }

    @Test
    void changedReportedSettingIsSetWithSetConfigAndNothingElse() {
        ClientSettings client = client(Map.of(), List.of());
        client.changed("TimeZone", "Europe/Berlin");

        assertThat(plan(server(), client)).isEqualTo(set("TimeZone", "Europe/Berlin"));
    }

    @Test
    void reportedSettingTheServerChangedIsSetBackToTheClientsValue() {
        PooledServer server = server();
        server.reported().put("DateStyle", "German, DMY");

        assertThat(plan(server, client(Map.of(), List.of()))).isEqualTo(set("DateStyle", "ISO, MDY"));
    }

    @Test
    void unreportedStartupSettingsAreSetAndThenKnownToTheServer() {
        PooledServer server = server();
        ClientSettings client = client(Map.of("extra_float_digits", "3", "options", "-c statement_timeout=5s"), List.of());
        String sql = plan(server, client);
        assertThat(statements(sql)).containsExactlyInAnyOrder(set("extra_float_digits", "3"), set("statement_timeout", "5s"));

        SettingsPlan.applied(server, client);

        assertThat(server.unreported()).containsExactlyInAnyOrderEntriesOf(Map.of("extra_float_digits", "3", "statement_timeout", "5s"));
        assertThat(plan(server, client)).as("nothing left to do on the same server").isNull();
    }

    @Test
    void theRoleIsNeverInAPlanNeitherSetNorReset() {
        PooledServer server = server();
        ClientSettings withRole = client(Map.of("role", "alice", "extra_float_digits", "3"), List.of());
        assertThat(statements(plan(server, withRole))).containsExactly(set("extra_float_digits", "3"));
        SettingsPlan.applied(server, withRole);

        assertThat(server.unreported()).doesNotContainKey("role");
        assertThat(plan(server, client(Map.of("role", "bob", "extra_float_digits", "3"), List.of()))).isNull();
        assertThat(plan(server, client(Map.of("extra_float_digits", "3"), List.of()))).isNull();
        ClientSettings withInit = client(Map.of("role", "alice"), List.of("SET pgwarden.user = E'alice'"));
        assertThat(plan(server, withInit)).endsWith("SET pgwarden.user = E'alice';").doesNotContainIgnoringCase("role");
    }

    @Test
    void unreportedSettingWithAnotherValueIsSetAgain() {
        PooledServer server = server();
        SettingsPlan.applied(server, client(Map.of("extra_float_digits", "3"), List.of()));

        assertThat(plan(server, client(Map.of("extra_float_digits", "1"), List.of())))
                .isEqualTo(set("extra_float_digits", "1"));
    }

    @Test
    void unreportedSettingOfThePreviousClientIsResetForAClientWithoutIt() {
        PooledServer server = server();
        SettingsPlan.applied(server, client(Map.of("extra_float_digits", "3"), List.of()));
        ClientSettings plain = client(Map.of(), List.of());

        assertThat(plan(server, plain)).isEqualTo("RESET \"extra_float_digits\";");

        SettingsPlan.applied(server, plain);
        assertThat(server.unreported()).isEmpty();
        assertThat(plan(server, plain)).isNull();
    }

    @Test
    void anotherSessionInitResetsTheServerThenSetsEverySettingWithTheInitLast() {
        PooledServer server = server();
        ClientSettings alice = client(Map.of("extra_float_digits", "3"), List.of("SET ROLE alice"));
        SettingsPlan.applied(server, alice);
        server.reported().put("TimeZone", "Asia/Tokyo");
        ClientSettings bob = client(Map.of("geqo", "off"), List.of("SET ROLE bob", "SET search_path = bob"));
        bob.changed("application_name", "reports");

        String sql = plan(server, bob);

        assertThat(sql).isEqualTo("SET SESSION AUTHORIZATION DEFAULT;RESET ALL;"
                + set("application_name", "reports") + set("client_encoding", "UTF8") + set("DateStyle", "ISO, MDY")
                + set("default_transaction_read_only", "off") + set("IntervalStyle", "postgres")
                + set("scram_iterations", "4096") + set("standard_conforming_strings", "on") + set("TimeZone", "UTC")
                + set("geqo", "off") + "SET ROLE bob;SET search_path = bob;");
        assertThat(sql).as("RESET ALL already dropped alice's unreported setting").doesNotContain("extra_float_digits");
    }

    @Test
    void firstSessionInitOnAServerSetsEverySettingWithoutAReset() {
        String sql = plan(server(), client(Map.of(), List.of("SET ROLE alice")));

        assertThat(sql).isEqualTo(everyMovableSetting() + "SET ROLE alice;");
    }

    @Test
    void sameSessionInitIsNotRunAgain() {
        PooledServer server = server();
        ClientSettings alice = client(Map.of(), List.of("SET ROLE alice"));
        SettingsPlan.applied(server, alice);
        ClientSettings again = client(Map.of(), List.of("SET ROLE alice"));
        again.changed("IntervalStyle", "iso_8601");

        assertThat(plan(server, again)).isEqualTo(set("IntervalStyle", "iso_8601"));
    }

    @Test
    void clientWithoutSessionInitOnAServerThatRanOneGetsAResetAndNoInit() {
        PooledServer server = server();
        SettingsPlan.applied(server, client(Map.of(), List.of("SET ROLE alice")));

        String sql = plan(server, client(Map.of(), List.of()));

        assertThat(sql).isEqualTo("SET SESSION AUTHORIZATION DEFAULT;RESET ALL;" + everyMovableSetting());
    }

    @Test
    void appliedRecordsTheInitAndReplacesTheUnreportedSettings() {
        PooledServer server = server();
        SettingsPlan.applied(server, client(Map.of("extra_float_digits", "3", "geqo", "off"), List.of("SET ROLE alice")));
        assertThat(server.init()).containsExactly("SET ROLE alice");

        SettingsPlan.applied(server, client(Map.of("geqo", "on"), List.of("SET ROLE bob")));

        assertThat(server.init()).containsExactly("SET ROLE bob");
        assertThat(server.unreported()).containsExactlyEntriesOf(Map.of("geqo", "on"));
    }

    @Test
    void readOnlyReportedSettingsAreNeverSet() {
        ClientSettings client = client(Map.of(), List.of());
        client.changed("server_version", "9.6.0");
        client.changed("is_superuser", "on");
        client.changed("session_authorization", "postgres");
        client.changed("in_hot_standby", "on");
        client.changed("integer_datetimes", "off");
        client.changed("server_encoding", "LATIN1");

        assertThat(plan(server(), client)).isNull();
        assertThat(plan(server(), client(Map.of(), List.of("SET ROLE alice"))))
                .doesNotContain("server_version", "is_superuser", "session_authorization", "in_hot_standby",
                        "integer_datetimes", "server_encoding");
    }

    @Test
    void movableIgnoresTheCaseOfTheName() {
        assertThat(SettingsPlan.movable("Server_Version")).isFalse();
        assertThat(SettingsPlan.movable("IS_SUPERUSER")).isFalse();
        assertThat(SettingsPlan.movable("TimeZone")).isTrue();
    }

    @Test
    void hostileValuesStayInsideTheirLiteral() {
        List<String> values = List.of("x'); DROP TABLE t; --", "\\'); DROP TABLE t; --", "\\", "'", "''", "\\\\'",
                "a\nb", "$$); SELECT 1; --", "é'\\ü");
        for (String value : values) {
            ClientSettings client = client(Map.of(), List.of());
            client.changed("application_name", value);

            SetConfigCall call = SetConfigCall.parse(plan(server(), client));

            assertThat(call.name()).isEqualTo("application_name");
            assertThat(call.value()).as("value %s", value).isEqualTo(value);
        }
    }

    @Test
    void hostileNamesStayInsideTheirLiteral() {
        for (String name : List.of("a'b", "x'); DROP TABLE t; --", "a\\", "my.Setting", "\"quoted\".x")) {
            ClientSettings client = client(Map.of(name, "v"), List.of());

            SetConfigCall call = SetConfigCall.parse(plan(server(), client));

            assertThat(call.name()).as("name %s", name).isEqualTo(name.toLowerCase(java.util.Locale.ROOT));
            assertThat(call.value()).isEqualTo("v");
        }
    }

    @Test
    void literalDoublesQuotesAndBackslashesInAnEscapeString() {
        assertThat(SettingsPlan.literal("it's")).isEqualTo("E'it''s'");
        assertThat(SettingsPlan.literal("a\\b")).isEqualTo("E'a\\\\b'");
        assertThat(SettingsPlan.literal("\\'")).isEqualTo("E'\\\\'''");
        assertThat(SettingsPlan.literal("")).isEqualTo("E''");
    }

    @Test
    void identifierQuotesEveryPart() {
        assertThat(SettingsPlan.identifier("extra_float_digits")).isEqualTo("\"extra_float_digits\"");
        assertThat(SettingsPlan.identifier("myapp.user_id")).isEqualTo("\"myapp\".\"user_id\"");
        assertThat(SettingsPlan.identifier("MyApp.User")).isEqualTo("\"MyApp\".\"User\"");
        assertThat(SettingsPlan.identifier("a\"b")).isEqualTo("\"a\"\"b\"");
        assertThat(SettingsPlan.identifier("x; DROP TABLE t")).isEqualTo("\"x; DROP TABLE t\"");
        assertThat(SettingsPlan.identifier("a\\b.c")).isEqualTo("\"a\\b\".\"c\"");
    }

    /** PostgreSQL takes set_config('user.x', ...) but {@code RESET user.x} is a syntax error: USER is reserved. */
    @Test
    void customSettingWithAReservedWordPrefixIsResetAsQuotedIdentifiers() {
        PooledServer server = server();
        SettingsPlan.applied(server, client(Map.of("user.x", "1"), List.of()));

        assertThat(plan(server, client(Map.of(), List.of()))).isEqualTo("RESET \"user\".\"x\";");
    }

    @Test
    void hostileUnreportedNameIsResetAsOneQuotedIdentifier() {
        PooledServer server = server();
        SettingsPlan.applied(server, client(Map.of("x\"; drop table t; --.a", "1"), List.of()));

        assertThat(plan(server, client(Map.of(), List.of()))).isEqualTo("RESET \"x\"\"; drop table t; --\".\"a\";");
    }

    /** The plan, checked against the allocation-free test that decides whether there is one. */
    private static String plan(PooledServer server, ClientSettings client) {
        String sql = SettingsPlan.sql(server, client);
        assertThat(SettingsPlan.differs(server, client)).as("differs() agrees with sql() = %s", sql).isEqualTo(sql != null);
        return sql;
    }

    private static List<String> statements(String sql) {
        List<String> statements = new ArrayList<>();
        for (String statement : sql.split(";")) {
            statements.add(statement + ";");
        }
        return statements;
    }

    /**
     * One {@code SELECT pg_catalog.set_config(E'...', E'...', false);} read with PostgreSQL's rules for
     * escape strings; fails unless the text is exactly that one call.
     */
    private record SetConfigCall(String name, String value) {
        private static final String HEAD = "SELECT pg_catalog.set_config(";

        static SetConfigCall parse(String sql) {
            assertThat(sql).startsWith(HEAD);
            int[] at = {HEAD.length()};
            String name = escapeString(sql, at);
            assertThat(sql.substring(at[0], at[0] + 2)).isEqualTo(", ");
            at[0] += 2;
            String value = escapeString(sql, at);
            assertThat(sql.substring(at[0])).as("the text after the value").isEqualTo(", false);");
            return new SetConfigCall(name, value);
        }

        private static String escapeString(String sql, int[] at) {
            assertThat(sql.substring(at[0], at[0] + 2)).isEqualTo("E'");
            StringBuilder value = new StringBuilder();
            int i = at[0] + 2;
            while (true) {
                char c = sql.charAt(i);
                if (c == '\\') {
                    assertThat(sql.charAt(i + 1)).as("the only escape a literal needs").isEqualTo('\\');
                    value.append('\\');
                    i += 2;
                } else if (c == '\'' && i + 1 < sql.length() && sql.charAt(i + 1) == '\'') {
                    value.append('\'');
                    i += 2;
                } else if (c == '\'') {
                    at[0] = i + 1;
                    return value.toString();
                } else {
                    value.append(c);
                    i++;
                }
            }
        }
    }
}
