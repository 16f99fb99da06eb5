package io.pgwarden.core.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code admin.console} section: off by default, a list of user names, every refusal with its YAML path. */
class AdminConsoleConfigTest {

    @TempDir
    Path dir;

    private AdminConsoleConfig console(String yaml) {
        return MinimalConfig.parse(yaml, dir).adminConsole();
    }

    private List<String> problemsOf(String yaml) {
        return MinimalConfig.problemsOf(yaml, dir);
    }

    @Test
    void consoleIsOffWithoutUsers() {
        assertThat(console("")).isEqualTo(AdminConsoleConfig.DISABLED);
        assertThat(console("admin: { console: {} }\n").enabled()).isFalse();
        assertThat(console("admin: { console: { users: [] } }\n").enabled()).isFalse();
        assertThat(AdminConsoleConfig.DISABLED.admits("postgres")).isFalse();
    }

    @Test
    void usersAreTheRolesAdmitted() {
        AdminConsoleConfig config = console("admin: { console: { users: [ ops, \" dba \" ] } }\n");
        assertThat(config.enabled()).isTrue();
        assertThat(config.users()).isEqualTo(Set.of("ops", "dba"));
        assertThat(config.admits("ops")).isTrue();
        assertThat(config.admits("OPS")).isFalse();
        assertThat(config.admits("app")).isFalse();
    }

    @Test
    void wrongShapesNameTheirPath() {
        assertThat(problemsOf("admin: { console: { users: ops } }\n"))
                .containsExactly("admin.console.users: expected a list, found 'ops'");
        assertThat(problemsOf("admin: { console: { users: [ ops, { a: b }, \"\" ] } }\n")).containsExactly(
                "admin.console.users[1]: expected a database user name, found a map",
                "admin.console.users[2]: expected a database user name, found ''");
        assertThat(problemsOf("admin: { console: { users: [ ops ], listen: x } }\n"))
                .containsExactly("admin.console.listen: unknown key; known keys: users");
        assertThat(problemsOf("admin: { console: true }\n"))
                .containsExactly("admin.console: expected a map of keys and values, found 'true'");
    }
}
