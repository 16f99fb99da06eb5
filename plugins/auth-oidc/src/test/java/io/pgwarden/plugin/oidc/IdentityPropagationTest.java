package io.pgwarden.plugin.oidc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgwarden.spi.BackendLogin;
import io.pgwarden.spi.PluginConfig;
import io.pgwarden.spi.PluginConfigException;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class IdentityPropagationTest {

    private static IdentityPropagation propagation(Map<String, Object> settings) {
        Map<String, Object> plugin = new HashMap<>(settings);
        plugin.put("type", "oidc");
        return IdentityPropagation.fromConfig(new PluginConfig("plugins[0]", plugin));
    }

    private static PersonIdentity person(String role, String subject, String display, String... groups) {
        return new PersonIdentity(role, subject, display, Set.of(groups), "https://idp.example.com", Instant.now(), Map.of());
    }

    /** Reads an escape string constant as PostgreSQL does (only the escapes the propagation writes). */
    private static String unescape(String literal) {
        assertThat(literal).startsWith("E'").endsWith("'");
        assertThat(literal.chars().allMatch(c -> c >= 0x20 && c < 0x7F)).as("ASCII only: " + literal).isTrue();
        String body = literal.substring(2, literal.length() - 1);
        StringBuilder value = new StringBuilder();
        for (int i = 0; i < body.length(); i++) {
            char c = body.charAt(i);
            if (c == '\'') {
                assertThat(body.charAt(++i)).as("a quote inside is doubled").isEqualTo('\'');
                value.append('\'');
            } else if (c == '\\') {
                char next = body.charAt(++i);
                if (next == '\\') {
                    value.append('\\');
                } else if (next == 'u') {
                    value.appendCodePoint(Integer.parseInt(body.substring(i + 1, i + 5), 16));
                    i += 4;
                } else if (next == 'U') {
                    value.appendCodePoint(Integer.parseInt(body.substring(i + 1, i + 9), 16));
                    i += 8;
                } else {
                    throw new AssertionError("unexpected escape \\" + next + " in " + literal);
                }
            } else {
                value.append(c);
            }
        }
        return value.toString();
    }

    private static String valueOf(List<String> statements, String setting) {
        String prefix = "SET " + setting + " = ";
        return statements.stream().filter(s -> s.startsWith(prefix)).map(s -> unescape(s.substring(prefix.length())))
                .findFirst().orElseThrow();
    }

    @Test
    void defaultsSetApplicationNameAndIdentitySettings() throws Exception {
        BackendLogin login = propagation(Map.of()).apply(ClientCertStrategyTest.ruleDefault(),
                person("alice", "f3b1", "Alice", "engineers", "analysts", "db-users"));

        assertThat(login.parameters()).isEqualTo(Map.of("application_name", "pgwarden:alice"));
        assertThat(login.sessionInit()).containsExactly(
                "SET search_path = app",
                "SET pgwarden.\"user\" = E'alice'",
                "SET pgwarden.subject = E'f3b1'",
                "SET pgwarden.groups = E'analysts,db-users,engineers'");
        assertThat(login.user()).isEqualTo("startup-user");
    }

    @Test
    void noGroupsIsAnEmptySetting() throws Exception {
        BackendLogin login = propagation(Map.of()).apply(ClientCertStrategyTest.ruleDefault(), person("alice", "s", "a"));

        assertThat(login.sessionInit()).contains("SET pgwarden.groups = E''");
    }

    @Test
    void quotesAndBackslashesAreEscaped() throws Exception {
        String role = "o'brien\\'; DROP TABLE t; --";
        BackendLogin login = propagation(Map.of()).apply(ClientCertStrategyTest.ruleDefault(),
                person(role, "sub\\'x", "d", "a'b", "c\\d"));

        assertThat(login.sessionInit()).contains("SET pgwarden.\"user\" = E'o''brien\\\\''; DROP TABLE t; --'");
        assertThat(valueOf(login.sessionInit(), "pgwarden.\"user\"")).isEqualTo(role);
        assertThat(valueOf(login.sessionInit(), "pgwarden.subject")).isEqualTo("sub\\'x");
        assertThat(valueOf(login.sessionInit(), "pgwarden.groups")).isEqualTo("a'b,c\\d");
    }

    @Test
    void unicodeIsWrittenAsUnicodeEscapes() throws Exception {
        String role = "josé.müller";
        String subject = "ид-😀-東京";
        BackendLogin login = propagation(Map.of()).apply(ClientCertStrategyTest.ruleDefault(),
                person(role, subject, "d", "équipe"));

        assertThat(login.sessionInit()).contains("SET pgwarden.\"user\" = E'jos\\u00E9.m\\u00FCller'");
        assertThat(login.sessionInit()).contains("SET pgwarden.subject = E'\\u0438\\u0434-\\U0001F600-\\u6771\\u4EAC'");
        assertThat(valueOf(login.sessionInit(), "pgwarden.\"user\"")).isEqualTo(role);
        assertThat(valueOf(login.sessionInit(), "pgwarden.subject")).isEqualTo(subject);
        assertThat(valueOf(login.sessionInit(), "pgwarden.groups")).isEqualTo("équipe");
        assertThat(login.parameters()).containsEntry("application_name", "pgwarden:josé.müller");
    }

    @Test
    void controlCharactersAreRefused() {
        IdentityPropagation propagation = propagation(Map.of());

        assertThatThrownBy(() -> propagation.apply(ClientCertStrategyTest.ruleDefault(), person("alice", "s\n", "d")))
                .isInstanceOf(LoginRefusedException.class).hasMessage("the subject from the token has a control character");
        assertThatThrownBy(() -> propagation.apply(ClientCertStrategyTest.ruleDefault(), person("alice", "s", "d", "g\u0000")))
                .isInstanceOf(LoginRefusedException.class).hasMessage("the groups from the token has a control character");
        assertThatThrownBy(() -> propagation.apply(ClientCertStrategyTest.ruleDefault(), person("al\u001bice", "s", "d")))
                .isInstanceOf(LoginRefusedException.class).hasMessage("the role from the token has a control character");
        assertThatThrownBy(() -> propagation(Map.of("application_name", "{display}"))
                .apply(ClientCertStrategyTest.ruleDefault(), person("alice", "s", "Alice\r\nX")))
                .isInstanceOf(LoginRefusedException.class).hasMessage("the display from the token has a control character");
        assertThatThrownBy(() -> propagation.apply(ClientCertStrategyTest.ruleDefault(), person("alice", "\ud800x", "d")))
                .isInstanceOf(LoginRefusedException.class).hasMessage("the subject from the token has an unpaired UTF-16 surrogate");
    }

    @Test
    void valuesNotPropagatedAreNotChecked() throws Exception {
        BackendLogin login = propagation(Map.of()).apply(ClientCertStrategyTest.ruleDefault(), person("alice", "s", "Alice\nX"));

        assertThat(login.parameters()).containsEntry("application_name", "pgwarden:alice");
    }

    @Test
    void groupWithACommaIsRefused() {
        assertThatThrownBy(() -> propagation(Map.of()).apply(ClientCertStrategyTest.ruleDefault(),
                person("alice", "s", "d", "viewers,admins")))
                .isInstanceOf(LoginRefusedException.class)
                .hasMessage("the group \"viewers,admins\" has a comma, which pgwarden.groups uses to separate groups");
    }

    @Test
    void applicationNameTemplate() throws Exception {
        BackendLogin login = propagation(Map.of("application_name", "sso {display} ({subject}) as {role}"))
                .apply(ClientCertStrategyTest.ruleDefault(), person("alice", "f3b1", "Alice Smith"));

        assertThat(login.parameters()).isEqualTo(Map.of("application_name", "sso Alice Smith (f3b1) as alice"));
    }

    @Test
    void emptyApplicationNameKeepsTheClients() throws Exception {
        BackendLogin login = propagation(Map.of("application_name", "")).apply(ClientCertStrategyTest.ruleDefault(),
                person("alice", "s", "d"));

        assertThat(login.parameters()).isEqualTo(Map.of("application_name", "psql"));
    }

    @Test
    void identitySettingsOff() throws Exception {
        BackendLogin login = propagation(Map.of("identity_settings", false)).apply(ClientCertStrategyTest.ruleDefault(),
                person("alice", "s\n", "d", "a,b"));

        assertThat(login.sessionInit()).containsExactly("SET search_path = app");
        assertThat(login.parameters()).isEqualTo(Map.of("application_name", "pgwarden:alice"));
    }

    @Test
    void configErrorsNameTheirPath() {
        assertThatThrownBy(() -> propagation(Map.of("application_name", "pgwarden:{email}")))
                .isInstanceOf(PluginConfigException.class)
                .hasMessage("plugins[0].application_name: has the unknown placeholder {email}; placeholders are {role}, {subject} "
                        + "and {display}");
        assertThatThrownBy(() -> propagation(Map.of("application_name", "pgwarden:{role")))
                .hasMessageStartingWith("plugins[0].application_name: has a '{' without its '}'");
        assertThatThrownBy(() -> propagation(Map.of("application_name", "pgwarden:role}")))
                .hasMessageStartingWith("plugins[0].application_name: has a '}' without its '{'");
        assertThatThrownBy(() -> propagation(Map.of("application_name", "a\tb")))
                .hasMessage("plugins[0].application_name: has a control character");
        assertThatThrownBy(() -> propagation(Map.of("identity_settings", "sometimes")))
                .hasMessage("plugins[0].identity_settings: expected true or false, found 'sometimes'");
    }
}
