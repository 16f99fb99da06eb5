package io.pgwarden.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {

    private static final String MINIMAL = """
            backends:
              primary: { host: db.example.com }
            auth:
              rules:
                - { method: passthrough }
            """;

    @TempDir
    Path dir;

    private ProxyConfig parse(String yaml) {
        return ConfigLoader.parse(yaml, dir, Map.of("APP_PW", "s3cret-value")::get);
    }

    private List<String> problemsOf(String yaml) {
        try {
            parse(yaml);
        } catch (ConfigException e) {
            return e.problems();
        }
        throw new AssertionError("expected the configuration to be refused");
    }

    @Test
    void minimalConfigurationGetsEveryDefault() {
        ProxyConfig config = parse(MINIMAL);

        assertThat(config.listen()).isEqualTo(new ListenConfig("127.0.0.1", 6432, ClientTlsConfig.disabled()));
        BackendConfig primary = config.backend("primary");
        assertThat(primary.host()).isEqualTo("db.example.com");
        assertThat(primary.port()).isEqualTo(5432);
        assertThat(primary.connectTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(primary.tls().mode()).isEqualTo(BackendTlsConfig.Mode.PREFER);
        AuthRule rule = config.auth().rules().get(0);
        assertThat(rule.path()).isEqualTo("auth.rules[0]");
        assertThat(rule.database()).isEqualTo("*");
        assertThat(rule.user()).isEqualTo("*");
        assertThat(rule.addresses()).isEmpty();
        assertThat(rule.tlsRequired()).isFalse();
        assertThat(rule.method()).isEqualTo("passthrough");
        assertThat(rule.backend()).isEqualTo("primary");
        assertThat(rule.login()).isNull();
        assertThat(config.pluginsDirectory()).isEqualTo(dir.toAbsolutePath().resolve("plugins"));
        assertThat(config.plugins()).isEmpty();
        assertThat(config.limits()).isEqualTo(LimitsConfig.DEFAULTS);
    }

    @Test
    void fullConfigurationMapsOntoTheRecords() throws IOException {
        Files.writeString(dir.resolve("server.pem"), "cert");
        Files.writeString(dir.resolve("server.key"), "key");
        Files.writeString(dir.resolve("clients.pem"), "ca");
        Files.writeString(dir.resolve("db-ca.pem"), "ca");
        Files.createDirectories(dir.resolve("ext"));
        ProxyConfig config = parse("""
                listen: { host: 0.0.0.0, port: 7432, tls: { mode: require, cert: server.pem, key: server.key, client_ca: clients.pem } }
                backends:
                  primary: { host: db1, port: 5433, connect_timeout: 500ms, tls: { mode: verify-full, ca: db-ca.pem } }
                  replica_2: { host: db2, tls: { mode: disable } }
                auth:
                  rules:
                    - database: appdb
                      user: "app*"
                      address: [ "10.0.0.0/8", "::1" ]
                      tls: true
                      method: scram
                      backend: replica_2
                      login: { user: app, password: "${env:APP_PW}", database: appdb }
                      userlist: users.txt
                    - { address: 192.168.1.0/24, method: trust }
                plugins_dir: ext
                plugins:
                  - type: protocol-log
                    level: debug
                    max: 12
                    verbose: true
                    nested: { list: [ a, 2 ] }
                limits: { max_message_size: 64KiB, max_startup_packet_size: 10000, max_client_connections: 5,
                          auth_timeout: 5m, shutdown_timeout: 1h }
                """);

        assertThat(config.listen().host()).isEqualTo("0.0.0.0");
        assertThat(config.listen().port()).isEqualTo(7432);
        assertThat(config.listen().tls()).isEqualTo(new ClientTlsConfig(ClientTlsConfig.Mode.REQUIRE,
                dir.resolve("server.pem"), dir.resolve("server.key"), dir.resolve("clients.pem")));
        assertThat(config.backends().keySet()).containsExactly("primary", "replica_2");
        assertThat(config.backend("primary")).isEqualTo(new BackendConfig("primary", "db1", 5433,
                new BackendTlsConfig(BackendTlsConfig.Mode.VERIFY_FULL, dir.resolve("db-ca.pem")), Duration.ofMillis(500)));
        assertThat(config.backend("replica_2").tls().mode()).isEqualTo(BackendTlsConfig.Mode.DISABLE);
        assertThat(config.defaultBackend().name()).isEqualTo("primary");

        AuthRule first = config.auth().rules().get(0);
        assertThat(first.database()).isEqualTo("appdb");
        assertThat(first.user()).isEqualTo("app*");
        assertThat(first.addresses()).extracting(Cidr::text).containsExactly("10.0.0.0/8", "::1");
        assertThat(first.tlsRequired()).isTrue();
        assertThat(first.method()).isEqualTo("scram");
        assertThat(first.backend()).isEqualTo("replica_2");
        assertThat(first.login()).isEqualTo(new AuthRule.LoginConfig("app", "s3cret-value", "appdb"));
        assertThat(first.options()).containsExactly(Map.entry("userlist", "users.txt"));
        AuthRule second = config.auth().rules().get(1);
        assertThat(second.addresses().get(0).contains(InetAddress.getByName("192.168.1.77"))).isTrue();
        assertThat(second.backend()).isEqualTo("primary");

        assertThat(config.pluginsDirectory()).isEqualTo(dir.resolve("ext"));
        PluginEntry plugin = config.plugins().get(0);
        assertThat(plugin.type()).isEqualTo("protocol-log");
        assertThat(plugin.config().path()).isEqualTo("plugins[0]");
        assertThat(plugin.config().values()).doesNotContainKey("type");
        assertThat(plugin.config().string("level")).contains("debug");
        assertThat(plugin.config().values().get("max")).isEqualTo(12);
        assertThat(plugin.config().values().get("verbose")).isEqualTo(true);
        assertThat(plugin.config().section("nested").strings("list")).containsExactly("a", "2");

        assertThat(config.limits()).isEqualTo(new LimitsConfig(64 * 1024, 10_000, 5, Duration.ofMinutes(5), Duration.ofHours(1)));
    }

    @Test
    void loadResolvesRelativePathsAgainstTheFilesDirectory() throws IOException {
        Path conf = Files.createDirectories(dir.resolve("conf"));
        Files.createDirectories(dir.resolve("plugins"));
        Path file = conf.resolve("pgwarden.yaml");
        Files.writeString(file, MINIMAL + "plugins_dir: ../plugins\n");

        ProxyConfig config = ConfigLoader.load(file);

        assertThat(config.pluginsDirectory()).isEqualTo(dir.toAbsolutePath().resolve("plugins"));
        assertThat(config.baseDirectory()).isEqualTo(conf.toAbsolutePath());
    }

    @Test
    void loadReportsAMissingFile() {
        assertThatThrownBy(() -> ConfigLoader.load(dir.resolve("absent.yaml")))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems())
                        .containsExactly(dir.toAbsolutePath().resolve("absent.yaml") + ": no such file"));
    }

    @Test
    void loadRefusesAFileThatIsNotUtf8() throws IOException {
        Path file = dir.resolve("latin1.yaml");
        Files.write(file, new byte[] {'a', ':', ' ', (byte) 0xE9, '\n'});

        assertThatThrownBy(() -> ConfigLoader.load(file))
                .isInstanceOfSatisfying(ConfigException.class,
                        e -> assertThat(e.problems().get(0)).endsWith(": is not UTF-8 text"));
    }

    @Test
    void wrongPortIsReportedWithItsPathAndValue() {
        assertThat(problemsOf("""
                backends:
                  primary: { host: db, port: abc }
                auth: { rules: [ { method: trust } ] }
                """)).containsExactly("backends.primary.port: expected a port 1-65535, found 'abc'");
    }

    @Test
    void everyProblemIsReportedAtOnceInFileOrder() {
        assertThat(problemsOf("""
                listen: { prot: 5, port: 70000 }
                backends:
                  Primary!: { host: db }
                  second: { port: 0 }
                auth:
                  rules:
                    - { address: not-a-net, tls: maybe, backend: nowhere }
                limits: { max_message_size: 12XB, auth_timeout: 10, max_client_connections: 0, shutdown: 1s }
                extra: 1
                """)).containsExactly(
                "listen.prot: unknown key; known keys: host, port, tls",
                "listen.port: expected a port 0-65535, found '70000'",
                "backends.Primary!: backend names may use only a-z, 0-9, '_' and '-'",
                "backends.second.port: expected a port 1-65535, found '0'",
                "backends.second.host: is required (the server's host name or address)",
                "auth.rules[0].address: expected a network like 10.0.0.0/8 or ::1/128 (not an IP address: 'not-a-net'), found 'not-a-net'",
                "auth.rules[0].tls: expected true or false, found 'maybe'",
                "auth.rules[0].backend: no backend named 'nowhere'; backends: Primary!, second",
                "auth.rules[0].method: is required (an auth method such as trust, passthrough or one a plugin provides)",
                "limits.max_message_size: expected a size like 10000, 64KiB or 64MiB, found '12XB'",
                "limits.auth_timeout: expected a duration like 500ms, 10s, 5m or 1h, found '10'",
                "limits.max_client_connections: expected a number of connections 1-1000000, found '0'",
                "limits.shutdown: unknown key; known keys: max_message_size, max_startup_packet_size, "
                        + "max_client_connections, auth_timeout, shutdown_timeout",
                "extra: unknown key; known keys: listen, backends, auth, plugins_dir, plugins, limits, pool, admin");
    }

    @Test
    void missingSectionsAreRequired() {
        assertThat(problemsOf("listen: { port: 6432 }\n")).containsExactly(
                "backends: is required: at least one PostgreSQL server, e.g. backends: { primary: { host: 127.0.0.1, port: 5432 } }",
                "auth: is required: at least one rule, e.g. auth: { rules: [ { method: passthrough } ] }");
    }

    @Test
    void emptyBackendsAndRulesAreRefused() {
        assertThat(problemsOf("backends: {}\nauth: { rules: [] }\n"))
                .containsExactly("backends: needs at least one backend", "auth.rules: needs at least one rule");
        assertThat(problemsOf("backends: { a: { host: h } }\nauth: {}\n")).containsExactly(
                "auth.rules: is required: at least one rule, e.g. rules: [ { method: passthrough } ]");
    }

    @Test
    void emptyDocumentIsRefused() {
        assertThat(problemsOf("")).containsExactly(
                "(document): the configuration is empty; it needs at least backends and auth.rules");
        assertThat(problemsOf("# only a comment\n")).hasSize(1);
    }

    @Test
    void wrongShapesAreReported() {
        assertThat(problemsOf("""
                listen: [ 1, 2 ]
                backends: { a: { host: [ x ] }, b: [ ] , c: }
                auth: { rules: [ "trust", ~ ] }
                plugins: { type: x }
                """)).containsExactly(
                "listen: expected a map of keys and values, found a list",
                "backends.a.host: expected a single value, found a list",
                "backends.b: expected a map of keys and values, found a list",
                "backends.c: needs at least a host",
                "auth.rules[0]: expected a map of keys and values, found 'trust'",
                "auth.rules[1]: expected a rule, e.g. { user: \"*\", method: passthrough }",
                "plugins: expected a list, found a map");
    }

    @Test
    void topLevelThatIsNotAMapIsRefused() {
        assertThat(problemsOf("- a\n- b\n")).containsExactly("(document): expected a map of keys and values, found a list");
    }

    @Test
    void clientTlsModesNeedCertificateAndKey() {
        assertThat(problemsOf(MINIMAL + "listen: { tls: { mode: require } }\n")).containsExactly(
                "listen.tls.cert: is required when listen.tls.mode is require (PEM certificate chain)",
                "listen.tls.key: is required when listen.tls.mode is require (PEM private key)");
        assertThat(problemsOf(MINIMAL + "listen: { tls: { mode: sometimes } }\n")).containsExactly(
                "listen.tls.mode: expected one of disable, allow, require, found 'sometimes'");
    }

    @Test
    void clientCaWithoutTlsIsRefused() throws IOException {
        Files.writeString(dir.resolve("ca.pem"), "ca");
        assertThat(problemsOf(MINIMAL + "listen: { tls: { client_ca: ca.pem } }\n")).containsExactly(
                "listen.tls.client_ca: client certificates need TLS; set listen.tls.mode to allow or require");
    }

    @Test
    void filesThatDoNotExistAreReported() {
        Path missing = dir.resolve("missing.pem");
        assertThat(problemsOf(MINIMAL + "listen: { tls: { mode: allow, cert: missing.pem, key: /nonexistent/k.pem } }\n"))
                .containsExactly(
                        "listen.tls.cert: file " + missing + " does not exist or cannot be read",
                        "listen.tls.key: file /nonexistent/k.pem does not exist or cannot be read");
    }

    @Test
    void verifyingBackendModesNeedACa() {
        assertThat(problemsOf("""
                backends: { a: { host: h, tls: { mode: verify-ca } }, b: { host: h, tls: { mode: verify_full } } }
                auth: { rules: [ { method: trust } ] }
                """)).containsExactly(
                "backends.a.tls.ca: is required when the mode is verify-ca (PEM CA bundle to verify the server)",
                "backends.b.tls.mode: expected one of disable, prefer, require, verify-ca, verify-full, found 'verify_full'");
    }

    @Test
    void pluginsDirectoryThatDoesNotExistIsReported() {
        assertThat(problemsOf(MINIMAL + "plugins_dir: nowhere\n"))
                .containsExactly("plugins_dir: directory " + dir.resolve("nowhere") + " does not exist");
    }

    @Test
    void pluginEntriesNeedAType() {
        assertThat(problemsOf(MINIMAL + "plugins: [ { level: info }, ~, { type: \"\" } ]\n")).containsExactly(
                "plugins[0].type: is required (the plugin type, e.g. protocol-log)",
                "plugins[1]: expected a map with at least a type, e.g. { type: protocol-log }",
                "plugins[2].type: must not be empty (the plugin type, e.g. protocol-log)");
    }

    @Test
    void pluginValuesStayTextUnlessPlainlyNumbersOrBooleans() {
        ProxyConfig config = parse(MINIMAL + """
                plugins:
                  - { type: t, a: no, b: 0777, c: 2024-01-01, d: "12", e: 12, f: false, g: ~, h: 99999999999 }
                """);
        Map<String, Object> values = config.plugins().get(0).config().values();
        assertThat(values.get("a")).isEqualTo("no");
        assertThat(values.get("b")).isEqualTo("0777");
        assertThat(values.get("c")).isEqualTo("2024-01-01");
        assertThat(values.get("d")).isEqualTo("12");
        assertThat(values.get("e")).isEqualTo(12);
        assertThat(values.get("f")).isEqualTo(false);
        assertThat(values).containsKey("g");
        assertThat(values.get("g")).isNull();
        assertThat(values.get("h")).isEqualTo(99_999_999_999L);
    }

    @Test
    void pluginSecretReferencesAreLeftForThePlugin() {
        ProxyConfig config = parse(MINIMAL + "plugins: [ { type: t, token: \"${env:NOT_SET_ANYWHERE}\" } ]\n");
        assertThat(config.plugins().get(0).config().string("token")).contains("${env:NOT_SET_ANYWHERE}");
    }

    @Test
    void literalLoginPasswordIsRefusedWithoutEchoingIt() {
        List<String> problems = problemsOf("""
                backends: { a: { host: h } }
                auth: { rules: [ { method: trust, login: { user: app, password: hunter2 } } ] }
                """);
        assertThat(problems).containsExactly("auth.rules[0].login.password: a password must not be written in the "
                + "configuration; use a reference such as \"${env:NAME}\" or \"${file:/path}\"");
        assertThat(String.join("\n", problems)).doesNotContain("hunter2");
    }

    @Test
    void loginPasswordFromAMissingVariableIsAProblemNamingThePath() {
        assertThat(problemsOf("""
                backends: { a: { host: h } }
                auth: { rules: [ { method: trust, login: { user: app, password: "${env:NO_SUCH_VAR}" } } ] }
                """)).containsExactly("auth.rules[0].login.password: environment variable NO_SUCH_VAR is not set");
    }

    @Test
    void loginPasswordFromAFileIsResolved() throws IOException {
        Files.writeString(dir.resolve("pw.txt"), "from-file\n");
        ProxyConfig config = parse("""
                backends: { a: { host: h } }
                auth: { rules: [ { method: trust, login: { user: app, password: "${file:pw.txt}" } } ] }
                """);
        AuthRule.LoginConfig login = config.auth().rules().get(0).login();
        assertThat(login.password()).isEqualTo("from-file");
        assertThat(login.toString()).doesNotContain("from-file");
        assertThat(config.toString()).doesNotContain("from-file");
    }

    @Test
    void loginNeedsAUserAndKnowsItsKeys() {
        assertThat(problemsOf("""
                backends: { a: { host: h } }
                auth: { rules: [ { method: trust, login: { pasword: x } } ] }
                """)).containsExactly(
                "auth.rules[0].login.pasword: unknown key; known keys: user, password, database",
                "auth.rules[0].login.user: is required (the database user the proxy logs in as)");
        assertThat(problemsOf("""
                backends: { a: { host: h } }
                auth:
                  rules:
                    - method: trust
                      login:
                        database: x
                    - method: trust
                """)).containsExactly("auth.rules[0].login.user: is required (the database user the proxy logs in as)");
    }

    @Test
    void ruleOptionsAreSingleValuesForTheMethod() {
        ProxyConfig config = parse("""
                backends: { a: { host: h } }
                auth: { rules: [ { method: scram, userlist: users.txt, iterations: 4096, empty: } ] }
                """);
        assertThat(config.auth().rules().get(0).options())
                .containsOnly(Map.entry("userlist", "users.txt"), Map.entry("iterations", "4096"), Map.entry("empty", ""));
        assertThat(problemsOf("""
                backends: { a: { host: h } }
                auth: { rules: [ { method: scram, users: [ a, b ] } ] }
                """)).containsExactly("auth.rules[0].users: expected a single value, found a list");
    }

    @Test
    void yamlYesAndNoAreNotBooleans() {
        assertThat(problemsOf("""
                backends: { a: { host: h } }
                auth: { rules: [ { method: trust, tls: yes } ] }
                """)).containsExactly("auth.rules[0].tls: expected true or false, found 'yes'");
    }

    @Test
    void duplicateKeysAreRefused() {
        assertThat(problemsOf("""
                backends: { a: { host: h, host: i } }
                auth: { rules: [ { method: trust } ] }
                """)).containsExactly("backends.a.host: duplicate key");
    }

    @Test
    void syntaxErrorsNameTheLine() {
        List<String> problems = problemsOf("backends:\n  a: { host: h\nauth: x\n");
        assertThat(problems).hasSize(1);
        assertThat(problems.get(0)).startsWith("line ");
    }
}
