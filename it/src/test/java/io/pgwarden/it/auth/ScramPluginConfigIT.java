package io.pgwarden.it.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.pgwarden.scram.ScramVerifier;
import io.pgwarden.testkit.ProxyFixture;
import java.io.IOException;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.jar.JarFile;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The plugin as an installation gets it: the shaded jar from a plugins folder, not the class path, and its
 * configuration checked when the proxy starts, each problem named by its YAML path. No PostgreSQL needed: the
 * proxy does not connect to its backend before a client arrives.
 */
class ScramPluginConfigIT {

    private static ScramPluginFixture plugin;
    private static String userlist;
    private static int closedPort;

    @BeforeAll
    static void start() throws IOException {
        plugin = ScramPluginFixture.create();
        userlist = plugin.writeUserlist("userlist.txt", Map.of("alice",
                ScramVerifier.generate("alice-password", ScramVerifier.DEFAULT_ITERATIONS).encode())).toString();
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
    }

    @AfterAll
    static void stop() {
        if (plugin != null) {
            plugin.close();
        }
    }

    @Test
    void pluginJarIsTheShadedPluginAndItsClassesAreNotOnTheTestClassPath() throws Exception {
        try (JarFile jar = new JarFile(ScramPluginFixture.pluginJar().toFile())) {
            assertThat(jar.getManifest().getMainAttributes().getValue("Plugin-Id")).isEqualTo("auth-scram");
            assertThat(jar.getManifest().getMainAttributes().getValue("Plugin-Requires")).isEqualTo("1.2");
            assertThat(jar.getEntry("io/pgwarden/scram/ScramVerifier.class")).as("pgwarden-scram is shaded in").isNotNull();
            assertThat(jar.getEntry("io/pgwarden/spi/Authenticator.class")).as("the SPI is never bundled").isNull();
        }
        assertThatThrownBy(() -> Class.forName("io.pgwarden.plugin.scram.StoredSecret"))
                .isInstanceOf(ClassNotFoundException.class);
    }

    @Test
    void minimalUserlistConfigurationStarts() {
        ProxyFixture proxy = plugin.startProxy(config("- { method: scram-sha-256 }", "userlist: \"" + userlist + "\""));
        assertThat(proxy.port()).isPositive();
    }

    @Test
    void unknownKeyInThePluginSectionStopsStartupNamingIt() {
        assertStartupFails(config("- { method: scram-sha-256 }", "userlist: \"" + userlist + "\"\n    userlst_reload: 1s"),
                "plugins[0].userlst_reload");
    }

    @Test
    void pluginWithNeitherUserlistNorAuthQueryStopsStartup() {
        assertStartupFails(config("- { method: scram-sha-256 }", "md5: false"), "plugins[0]", "needs userlist or auth_query");
    }

    @Test
    void plaintextAuthQueryPasswordStopsStartup() {
        assertStartupFails(config("- { method: scram-sha-256 }",
                "auth_query: { user: pgwarden_auth, password: written-in-the-file }"), "plugins[0].auth_query.password");
    }

    @Test
    void authQueryWithoutAUserStopsStartup() {
        assertStartupFails(config("- { method: scram-sha-256 }", "auth_query: { database: postgres }"), "plugins[0].auth_query.user");
    }

    @Test
    void badDurationStopsStartupNamingItsPath() {
        assertStartupFails(config("- { method: scram-sha-256 }", "userlist: \"" + userlist + "\"\n    failures: { delay: soon }"),
                "plugins[0].failures.delay");
    }

    @Test
    void unknownChannelBindingValueStopsStartupNamingTheRule() {
        assertStartupFails(config("- { method: scram-sha-256, channel_binding: sometimes }", "userlist: \"" + userlist + "\""),
                "auth.rules[0].channel_binding");
    }

    @Test
    void unknownRuleOptionStopsStartupNamingTheRule() {
        assertStartupFails(config("- { method: password, allow_without_ssl: true }", "userlist: \"" + userlist + "\""),
                "auth.rules[0].allow_without_ssl");
    }

    @Test
    void missingUserlistFileStopsStartup() {
        assertStartupFails(config("- { method: scram-sha-256 }", "userlist: \"" + plugin.directory().resolve("absent.txt") + "\""),
                "plugins[0].userlist");
    }

    private static String config(String rule, String pluginSettings) {
        return """
                backends:
                  pg: { host: 127.0.0.1, port: %d, tls: { mode: disable } }
                auth:
                  rules:
                    %s
                plugins:
                  - type: scram
                    %s
                """.formatted(closedPort, rule, pluginSettings);
    }

    private static void assertStartupFails(String yaml, String... fragments) {
        Throwable thrown = catchThrowable(() -> plugin.startProxy(yaml));
        assertThat(thrown).as("startup should fail").isNotNull();
        List<String> messages = new ArrayList<>();
        for (Throwable t = thrown; t != null; t = t.getCause()) {
            messages.add(String.valueOf(t.getMessage()));
        }
        String all = String.join("\n", messages);
        for (String fragment : fragments) {
            assertThat(all).contains(fragment);
        }
        assertThat(all).doesNotContain("written-in-the-file");
    }
}
