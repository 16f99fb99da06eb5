package io.pgwarden.core.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The reference configuration shipped in the distribution must stay valid and complete. */
class ReferenceConfigTest {

    private static final Path REFERENCE = Path.of("..", "distribution", "src", "main", "conf", "pgwarden.yaml");

    /** Every key the loader knows; each must be explained in the reference file. */
    private static final List<String> KNOWN_KEYS = List.of("listen", "host", "port", "tls", "mode", "cert", "key",
            "client_ca", "backends", "connect_timeout", "ca", "auth", "rules", "database", "user", "address", "method",
            "backend", "login", "password", "plugins_dir", "plugins", "type", "limits", "max_message_size",
            "max_startup_packet_size", "max_client_connections", "auth_timeout", "shutdown_timeout", "pool", "size",
            "min_size", "reserve_size", "reserve_timeout", "max_db_connections", "max_user_connections",
            "max_prepared_statements", "query_wait_timeout", "idle_transaction_timeout", "client_idle_timeout",
            "server_idle_timeout", "server_lifetime", "server_check_delay", "server_check_query", "server_reset_query",
            "databases", "users", "max_connections", "admin", "http", "ready_check_interval",
            "console");

    @TempDir
    Path installation;

    @Test
    void referenceConfigurationPassesValidationInTheInstallationLayout() throws IOException {
        Path conf = Files.createDirectories(installation.resolve("conf"));
        Files.createDirectories(installation.resolve("plugins"));
        Path file = Files.copy(REFERENCE, conf.resolve("pgwarden.yaml"));

        ProxyConfig config = ConfigLoader.load(file);

        assertThat(config.listen()).isEqualTo(new ListenConfig("127.0.0.1", 6432, ClientTlsConfig.disabled()));
        assertThat(config.pluginsDirectory()).isEqualTo(installation.toAbsolutePath().resolve("plugins"));
        assertThat(config.limits()).isEqualTo(LimitsConfig.DEFAULTS);
        assertThat(config.pool()).isEqualTo(PoolConfig.DEFAULTS);
        assertThat(config.auth().rules()).isNotEmpty();
        assertThat(config.adminHttp()).isEqualTo(AdminHttpConfig.DISABLED);
        assertThat(config.adminConsole()).isEqualTo(AdminConsoleConfig.DISABLED);
    }

    @Test
    void commentedAdminHttpExampleIsValidOnceUncommented() throws IOException {
        String reference = Files.readString(REFERENCE);
        String section = reference.substring(reference.indexOf("\nadmin:\n") + 1, reference.indexOf("\n\n# Server connection pooling"));
        String yaml = "backends: { primary: { host: h } }\nauth: { rules: [ { method: trust } ] }\n"
                + section.replaceAll("(?m)^    # (listen|users):", "    $1:");

        ProxyConfig config = ConfigLoader.parse(yaml, installation);
        AdminHttpConfig admin = config.adminHttp();
        assertThat(config.adminConsole()).isEqualTo(new AdminConsoleConfig(Set.of("pgwarden_admin")));

        assertThat(admin).isEqualTo(AdminHttpConfig.listening("127.0.0.1", 9127, AdminHttpConfig.DEFAULT_READY_CHECK_INTERVAL));
    }

    @Test
    void commentedExampleRuleIsValidOnceUncommented() throws IOException {
        String reference = Files.readString(REFERENCE);
        String example = reference.substring(reference.indexOf("    # - database: appdb"), reference.indexOf("\n\n# Where plugin"));
        String uncommented = example.replace("    # ", "    ");
        String yaml = "backends: { primary: { host: h } }\nauth:\n  rules:\n" + uncommented + "\n";

        ProxyConfig config = ConfigLoader.parse(yaml, installation, Map.of("APP_SERVICE_PASSWORD", "x")::get);

        assertThat(config.auth().rules().get(0).login().user()).isEqualTo("app_service");
    }

    @Test
    void commentedPluginExampleIsValidOnceUncommented() throws IOException {
        String reference = Files.readString(REFERENCE);
        String example = reference.substring(reference.indexOf("# plugins:\n"), reference.indexOf("# Example: an audit trail"));
        String yaml = "backends: { primary: { host: h } }\nauth: { rules: [ { method: trust } ] }\n"
                + example.replaceAll("(?m)^# ", "");

        ProxyConfig config = ConfigLoader.parse(yaml, installation);

        assertThat(config.plugins()).singleElement().satisfies(entry -> {
            assertThat(entry.type()).isEqualTo("protocol-log");
            assertThat(entry.config().values()).containsOnlyKeys("level", "max_query_length");
        });
    }

    @Test
    void commentedAuditExampleIsAnEntryOfTheChainOnceUncommented() throws IOException {
        String reference = Files.readString(REFERENCE);
        String audit = reference.substring(reference.indexOf("#   - type: audit"), reference.indexOf("\n\n# Protocol and"));
        String yaml = "backends: { primary: { host: h } }\nauth: { rules: [ { method: trust } ] }\nplugins:\n"
                + audit.replaceAll("(?m)^#   ", "  ");

        ProxyConfig config = ConfigLoader.parse(yaml, installation);

        assertThat(config.plugins()).singleElement().satisfies(entry -> {
            assertThat(entry.type()).isEqualTo("audit");
            assertThat(entry.config().values()).containsOnlyKeys("checkpoint_key", "file");
        });
    }

    @Test
    void commentedAuthPluginExamplesAreEntriesOfTheChainOnceUncommented() throws IOException {
        String reference = Files.readString(REFERENCE);
        String scram = reference.substring(reference.indexOf("#   - type: scram"), reference.indexOf("# Example: single sign-on"));
        String oidc = reference.substring(reference.indexOf("#   - type: oidc"), reference.indexOf("# Example: log every"));
        String yaml = "backends: { primary: { host: h } }\nauth: { rules: [ { method: trust } ] }\nplugins:\n"
                + (scram + oidc).replaceAll("(?m)^#   ", "  ").replaceAll("(?m)^# .*\n", "");

        ProxyConfig config = ConfigLoader.parse(yaml, installation, Map.of("PGWARDEN_AUTH_PASSWORD", "x", "PGWARDEN_ADMIN_PASSWORD", "y")::get);

        assertThat(config.plugins()).extracting(entry -> entry.type()).containsExactly("scram", "oidc");
        assertThat(config.plugins().get(0).config().values()).containsOnlyKeys("userlist", "auth_query");
        assertThat(config.plugins().get(1).config().values())
                .containsOnlyKeys("issuers", "authorization", "client_cert", "session_expiry", "provisioning", "limits");
    }

    @Test
    @SuppressWarnings("unchecked")
    void prometheusScrapeExampleIsYamlThatScrapesTheReferenceAdminAddress() throws IOException {
        Path scrape = REFERENCE.resolveSibling("prometheus-scrape.yml");
        Map<String, Object> document = new org.yaml.snakeyaml.Yaml().load(Files.readString(scrape));

        Map<String, Object> job = ((List<Map<String, Object>>) document.get("scrape_configs")).get(0);
        assertThat(job).containsEntry("job_name", "pgwarden").containsEntry("metrics_path", "/metrics");
        List<Map<String, Object>> targets = (List<Map<String, Object>>) job.get("static_configs");
        assertThat((List<String>) targets.get(0).get("targets")).containsExactly("127.0.0.1:9127");
        assertThat(Files.readString(REFERENCE)).contains("# listen: 127.0.0.1:9127");
    }

    @Test
    void commentedPoolExampleIsValidOnceUncommented() throws IOException {
        String reference = Files.readString(REFERENCE);
        String example = reference.substring(reference.indexOf("  # databases:\n"));
        String yaml = "backends: { primary: { host: h } }\nauth: { rules: [ { method: trust } ] }\npool:\n"
                + example.replaceAll("(?m)^  # ", "  ");

        PoolConfig pool = ConfigLoader.parse(yaml, installation).pool();

        assertThat(pool.databases()).containsExactly(Map.entry("reports", new DatabasePoolConfig(PoolMode.SESSION, 5, 1, 2, 10)));
        assertThat(pool.users()).containsExactly(Map.entry("batch", new UserPoolConfig(PoolMode.SESSION, 3)));
    }

    @Test
    void referenceConfigurationExplainsEveryKey() throws IOException {
        String reference = Files.readString(REFERENCE);
        for (String key : KNOWN_KEYS) {
            assertThat(reference).as("reference configuration mentions " + key).containsPattern("(?m)(^|[ #{,])" + key + ":");
        }
    }
}
