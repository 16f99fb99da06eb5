package io.pgwarden.core.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a reload takes over, what waits for a restart, and the configuration it applies. */
class ConfigChangesTest {

    @TempDir
    Path dir;

    private ProxyConfig parse(String yaml) {
        return MinimalConfig.parse(yaml, dir);
    }

    @Test
    void identicalFilesChangeNothing() {
        String yaml = """
                listen: { port: 6500 }
                pool: { size: 4, databases: { reports: { size: 2 } } }
                plugins:
                  - { type: audit, file: { path: audit.jsonl }, raw_text: false }
                admin: { console: { users: [ ops ] } }
                """;

        ConfigChanges changes = ConfigChanges.between(parse(yaml), parse(yaml));

        assertThat(changes.changed()).isEmpty();
        assertThat(changes.needsRestart()).isEmpty();
        assertThat(changes.chainChanged()).isFalse();
    }

    @Test
    void reloadableSettingsAreListedByPathAndApplied() {
        ProxyConfig running = parse("pool: { size: 2 }\nlimits: { auth_timeout: 60s }\n");
        ProxyConfig loaded = ConfigLoader.parse("""
                backends: { primary: { host: db } }
                auth: { rules: [ { user: alice, method: trust }, { method: passthrough } ] }
                pool: { size: 3 }
                limits: { auth_timeout: 5s }
                admin: { console: { users: [ ops ] } }
                """, dir);

        ConfigChanges changes = ConfigChanges.between(running, loaded);

        assertThat(changes.changed()).containsExactly("auth.rules", "limits.auth_timeout", "pool", "admin.console");
        assertThat(changes.needsRestart()).isEmpty();
        assertThat(changes.chainChanged()).as("neither plugins nor backends changed").isFalse();
        assertThat(changes.applicable().pool().size()).isEqualTo(3);
        assertThat(changes.applicable().auth().rules()).hasSize(2);
        assertThat(changes.applicable().limits().authTimeout()).isEqualTo(loaded.limits().authTimeout());
        assertThat(changes.applicable().adminConsole().admits("ops")).isTrue();
    }

    @Test
    void settingsThatNeedARestartKeepTheirRunningValue() {
        ProxyConfig running = parse("""
                listen: { host: 127.0.0.1, port: 6432 }
                limits: { max_client_connections: 100, max_message_size: 1MiB, max_startup_packet_size: 10000 }
                admin: { http: { listen: "127.0.0.1:9127" } }
                """);
        ProxyConfig loaded = parse("""
                listen: { host: 0.0.0.0, port: 6500 }
                limits: { max_client_connections: 200, max_message_size: 2MiB, max_startup_packet_size: 9000 }
                admin: { http: { listen: "127.0.0.1:9128" } }
                """);

        ConfigChanges changes = ConfigChanges.between(running, loaded);

        assertThat(changes.needsRestart()).containsExactly("listen.host", "listen.port", "limits.max_message_size",
                "limits.max_client_connections", "admin.http");
        assertThat(changes.changed()).containsExactly("limits.max_startup_packet_size");
        ProxyConfig applied = changes.applicable();
        assertThat(applied.listen().host()).isEqualTo("127.0.0.1");
        assertThat(applied.listen().port()).isEqualTo(6432);
        assertThat(applied.limits().maxClientConnections()).isEqualTo(100);
        assertThat(applied.limits().maxMessageSize()).isEqualTo(1024 * 1024);
        assertThat(applied.limits().maxStartupPacketSize()).isEqualTo(9000);
        assertThat(applied.adminHttp()).isEqualTo(running.adminHttp());
    }

    @Test
    void pluginsDirectoryNeedsARestart() throws Exception {
        java.nio.file.Files.createDirectories(dir.resolve("other"));
        ConfigChanges changes = ConfigChanges.between(parse(""), parse("plugins_dir: other\n"));

        assertThat(changes.needsRestart()).containsExactly("plugins_dir");
        assertThat(changes.applicable().pluginsDirectory()).isEqualTo(parse("").pluginsDirectory());
    }

    @Test
    void changedPluginSettingsOrBackendsNeedANewChain() {
        ProxyConfig running = parse("plugins: [ { type: audit, queue_size: 10 } ]\n");

        ConfigChanges plugin = ConfigChanges.between(running, parse("plugins: [ { type: audit, queue_size: 11 } ]\n"));
        ConfigChanges backend = ConfigChanges.between(running, ConfigLoader.parse("""
                backends: { primary: { host: db, port: 5433 } }
                auth: { rules: [ { method: passthrough } ] }
                plugins: [ { type: audit, queue_size: 10 } ]
                """, dir));

        assertThat(plugin.changed()).containsExactly("plugins");
        assertThat(plugin.chainChanged()).isTrue();
        assertThat(backend.changed()).containsExactly("backends");
        assertThat(backend.chainChanged()).isTrue();
    }

    @Test
    void clientTlsSettingsAreReloadable() throws Exception {
        java.nio.file.Files.writeString(dir.resolve("a.pem"), "x");
        java.nio.file.Files.writeString(dir.resolve("a.key"), "x");
        java.nio.file.Files.writeString(dir.resolve("b.pem"), "x");

        ConfigChanges changes = ConfigChanges.between(parse("listen: { tls: { mode: allow, cert: a.pem, key: a.key } }\n"),
                parse("listen: { tls: { mode: require, cert: b.pem, key: a.key } }\n"));

        assertThat(changes.changed()).containsExactly("listen.tls");
        assertThat(changes.needsRestart()).isEmpty();
        assertThat(changes.applicable().listen().tls().certificate()).isEqualTo(dir.resolve("b.pem"));
    }
}
