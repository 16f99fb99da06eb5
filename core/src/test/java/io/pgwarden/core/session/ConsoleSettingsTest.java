package io.pgwarden.core.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgwarden.core.config.ConfigLoader;
import io.pgwarden.core.config.ProxyConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SHOW CONFIG: YAML paths, effective values with defaults, what a reload changes, and never a secret. */
class ConsoleSettingsTest {

    @Test
    void showsEffectiveValuesDefaultsAndChangeability(@TempDir Path dir) {
        ProxyConfig config = ConfigLoader.parse("""
                listen: { host: 127.0.0.1, port: 6432 }
                backends:
                  primary: { host: db1, port: 5433, tls: { mode: disable } }
                pool: { mode: transaction, size: 7 }
                auth:
                  rules:
                    - { database: pgwarden, method: trust }
                admin:
                  console: { users: [ ops, dba ] }
                """, dir);
        Map<String, List<String>> rows = rows(config);
        assertThat(rows.get("listen.port")).containsExactly("listen.port", "6432", "", "no");
        assertThat(rows.get("backends.primary.port")).containsExactly("backends.primary.port", "5433", "", "no");
        assertThat(rows.get("pool.size")).containsExactly("pool.size", "7", "20", "yes");
        assertThat(rows.get("pool.mode")).containsExactly("pool.mode", "transaction", "session", "yes");
        assertThat(rows.get("auth.rules[0].method")).containsExactly("auth.rules[0].method", "trust", "", "yes");
        assertThat(rows.get("admin.console.users").get(1)).isEqualTo("dba, ops");
        assertThat(rows).containsKey("limits.max_message_size");
    }

    @Test
    void secretsNeverShow(@TempDir Path dir) throws Exception {
        Path pem = dir.resolve("ca.pem");
        Files.writeString(pem, "-----BEGIN CERTIFICATE-----\nMIIBfile-content-4410\n-----END CERTIFICATE-----\n");
        Function<String, String> environment = name -> name.equals("SVC_PASSWORD") ? "svc-secret-9931" : null;
        ProxyConfig config = ConfigLoader.parse("""
                listen: { host: 127.0.0.1, port: 6432 }
                backends:
                  primary: { host: db1, port: 5432, tls: { mode: disable } }
                auth:
                  rules:
                    - method: trust
                      login: { user: svc, password: "${env:SVC_PASSWORD}" }
                plugins:
                  - type: audit
                    issuer: https://login.example.com
                    ca: "${file:ca.pem}"
                    api_token: plain-token-5510
                """, dir, environment);
        ConsoleTable table = ConsoleSettings.table(config);
        assertThat(table.rows().toString()).doesNotContain("svc-secret-9931").doesNotContain("file-content-4410")
                .doesNotContain("plain-token-5510");
        assertThat(rows(config).get("plugins[0].issuer").get(1)).isEqualTo("https://login.example.com");
        assertThat(rows(config).get("plugins[0].ca").get(1)).isEqualTo(ConsoleSettings.SECRET);
        assertThat(rows(config).get("auth.rules[0].login.password").get(1)).isEqualTo(ConsoleSettings.SECRET);
        assertThat(rows(config).get("auth.rules[0].login.user").get(1)).isEqualTo("svc");
    }

    private static Map<String, List<String>> rows(ProxyConfig config) {
        ConsoleTable table = ConsoleSettings.table(config);
        assertThat(table.columns()).containsExactly("key", "value", "default", "changeable");
        return table.rows().stream().collect(Collectors.toMap(row -> row.get(0), Function.identity()));
    }
}
