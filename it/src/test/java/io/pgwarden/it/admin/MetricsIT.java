package io.pgwarden.it.admin;

import static io.pgwarden.it.admin.PrometheusText.value;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.pgwarden.testkit.Closeables;
import io.pgwarden.testkit.EmbeddedPostgres;
import io.pgwarden.testkit.LeakCheckExtension;
import io.pgwarden.testkit.LogCapture;
import io.pgwarden.testkit.PasswordEncryption;
import io.pgwarden.testkit.ProxyFixture;
import io.pgwarden.testkit.RawMessage;
import io.pgwarden.testkit.RawPgClient;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.postgresql.util.PSQLException;

/**
 * The meters a real proxy publishes at /metrics while pgjdbc and a raw client talk to a real PostgreSQL through
 * it with two class-path test plugins in the chain: bytes in and out, auth results by method and reason (success,
 * wrong password, a plugin's refusal, a timeout, no rule), and hook calls and sampled durations per plugin and
 * hook.
 */
@ExtendWith(LeakCheckExtension.class)
class MetricsIT {

    private static final String APP_PASSWORD = "app-metrics-5521";
    private static final int LARGE = 2_000_000;
    private static final String AUTH = "pgwarden_auth_results_total";

    private static EmbeddedPostgres postgres;
    private static ProxyFixture proxy;
    private static LogCapture log;

    @BeforeAll
    static void start() {
        log = LogCapture.start();
        postgres = EmbeddedPostgres.builder()
                .role("app", APP_PASSWORD, PasswordEncryption.SCRAM_SHA_256)
                .hba("host all app 127.0.0.1/32 scram-sha-256")
                .start();
        proxy = ProxyFixture.fromYaml("""
                listen: { host: 127.0.0.1, port: 0 }
                backends:
                  primary: { host: 127.0.0.1, port: %d, tls: { mode: disable } }
                auth:
                  rules:
                    - { database: postgres, method: passthrough }
                limits:
                  auth_timeout: 5s
                plugins:
                  - { type: test-statement-policy }
                  - { type: test-auth-gate, name: metrics }
                admin:
                  http:
                    listen: "127.0.0.1:0"
                """.formatted(postgres.port()));
    }

    @AfterAll
    static void stop() throws Exception {
        Closeables.closeAll(proxy, postgres, () -> log.assertNoneOf(List.of(APP_PASSWORD)), log);
    }

    private static Map<String, Double> scrape() throws Exception {
        return PrometheusText.scrape(proxy.server().adminAddress().orElseThrow());
    }

    private static String auth(String method, String reason, String result) {
        return AUTH + "{method=\"" + method + "\",reason=\"" + reason + "\",result=\"" + result + "\"}";
    }

    private static Connection connect(String user, String password, String applicationName) throws SQLException {
        String url = "jdbc:postgresql://127.0.0.1:" + proxy.port() + "/postgres?sslmode=disable&user=" + user
                + (password == null ? "" : "&password=" + password) + "&assumeMinServerVersion=10&ApplicationName=" + applicationName;
        return DriverManager.getConnection(url);
    }

    @Test
    void bytesInAndOutGrowByAtLeastALargeResultAndTheStatementSent() throws Exception {
        String sql = "SELECT repeat('x', " + LARGE + ") AS large /* " + "p".repeat(5_000) + " */";
        Map<String, Double> before = scrape();

        try (Connection connection = connect("postgres", null, "bytes"); Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery(sql)) {
            assertThat(rows.next()).isTrue();
            assertThat(rows.getString(1)).hasSize(LARGE);
        }

        Map<String, Double> after = scrape();
        assertThat(value(after, "pgwarden_client_bytes_total{direction=\"sent\"}"))
                .isGreaterThanOrEqualTo(value(before, "pgwarden_client_bytes_total{direction=\"sent\"}") + LARGE);
        assertThat(value(after, "pgwarden_server_bytes_total{direction=\"received\"}"))
                .isGreaterThanOrEqualTo(value(before, "pgwarden_server_bytes_total{direction=\"received\"}") + LARGE);
        assertThat(value(after, "pgwarden_client_bytes_total{direction=\"received\"}"))
                .isGreaterThanOrEqualTo(value(before, "pgwarden_client_bytes_total{direction=\"received\"}") + sql.length());
        assertThat(value(after, "pgwarden_server_bytes_total{direction=\"sent\"}"))
                .isGreaterThanOrEqualTo(value(before, "pgwarden_server_bytes_total{direction=\"sent\"}") + sql.length());
    }

    @Test
    void authResultsCountASuccessAWrongPasswordAndAPluginsRefusalByReason() throws Exception {
        String ok = auth("passthrough", "ok", "success");
        String badPassword = auth("passthrough", "bad_password", "failure");
        String rejected = auth("passthrough", "rejected_by_plugin", "refused");
        Map<String, Double> before = scrape();

        try (Connection connection = connect("app", APP_PASSWORD, "reasons"); Statement statement = connection.createStatement()) {
            statement.execute("SELECT 1");
        }
        Throwable wrongPassword = catchThrowable(() -> connect("app", "not-the-password", "reasons").close());
        Throwable refused = catchThrowable(() -> connect("app", APP_PASSWORD, "metrics-refuse").close());

        assertThat(((PSQLException) wrongPassword).getSQLState()).isEqualTo("28P01");
        assertThat(((PSQLException) refused).getSQLState()).isEqualTo("28000");
        Map<String, Double> after = scrape();
        assertThat(value(after, ok)).isGreaterThanOrEqualTo(value(before, ok) + 1);
        assertThat(value(after, badPassword)).isEqualTo(value(before, badPassword) + 1);
        assertThat(value(after, rejected)).isEqualTo(value(before, rejected) + 1);
    }

    @Test
    void noRuleAndATimeoutAreCountedAndTheProxyKeepsServing() throws Exception {
        String noRule = auth("none", "no_rule", "no_rule");
        String timeout = auth("passthrough", "timeout", "failure");
        Map<String, Double> before = scrape();

        try (RawPgClient client = RawPgClient.connect("127.0.0.1", proxy.port())) {
            client.sendStartup(Map.of("user", "app", "database", "template1"));
            assertThat(client.readMessage().sqlState()).isEqualTo("28000");
        }
        try (RawPgClient client = RawPgClient.connect("127.0.0.1", proxy.port(), Duration.ofSeconds(30))) {
            client.sendStartup(Map.of("user", "app", "database", "postgres"));
            assertThat(client.readMessage().type()).as("the proxy asks for a password").isEqualTo('R');
            RawMessage error = client.readMessage();
            assertThat(error.sqlState()).isEqualTo("08006");
            assertThat(error.message()).contains("timeout");
        }

        Map<String, Double> after = scrape();
        assertThat(value(after, noRule)).isEqualTo(value(before, noRule) + 1);
        assertThat(value(after, timeout)).isEqualTo(value(before, timeout) + 1);
        try (Connection connection = connect("app", APP_PASSWORD, "after-failures"); Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SELECT 7")) {
            assertThat(rows.next()).isTrue();
            assertThat(rows.getInt(1)).isEqualTo(7);
        }
    }

    @Test
    void hookCallsAreCountedAndSampledDurationsAreHistogramsPerPluginAndOverriddenHook() throws Exception {
        String queries = "pgwarden_plugin_hook_calls_total{hook=\"onQuery\",plugin=\"test-statement-policy\"}";
        String auths = "pgwarden_plugin_hook_calls_total{hook=\"onAuth\",plugin=\"test-auth-gate\"}";
        String timedQueries = "pgwarden_plugin_hook_duration_seconds_count{hook=\"onQuery\",plugin=\"test-statement-policy\"}";
        Map<String, Double> before = scrape();

        try (Connection connection = connect("postgres", null, "hooks"); Statement statement = connection.createStatement()) {
            statement.execute("SELECT 1");
            statement.execute("SELECT 2");
        }

        Map<String, Double> after = scrape();
        assertThat(value(after, queries)).isGreaterThanOrEqualTo(value(before, queries) + 2);
        assertThat(value(after, auths)).isGreaterThanOrEqualTo(value(before, auths) + 1);
        assertThat(value(after, timedQueries)).as("the first call and one in 16 after it are timed")
                .isPositive().isLessThanOrEqualTo(Math.ceil(value(after, queries) / 16));
        String bucket = "pgwarden_plugin_hook_duration_seconds_bucket{hook=\"onQuery\",le=\"+Inf\",plugin=\"test-statement-policy\"}";
        assertThat(value(after, bucket)).isEqualTo(value(after, timedQueries));
        assertThat(after).containsKey("pgwarden_plugin_hook_duration_seconds_bucket{hook=\"onQuery\",le=\"0.001\",plugin=\"test-statement-policy\"}");
        assertThat(after.keySet()).as("a hook the plugin does not override has no series")
                .noneMatch(key -> key.startsWith("pgwarden_plugin_hook_duration_seconds_count{hook=\"onAuth\",plugin=\"test-statement-policy\""))
                .noneMatch(key -> key.startsWith("pgwarden_plugin_hook_duration_seconds_count{hook=\"onQuery\",plugin=\"test-auth-gate\""))
                .noneMatch(key -> key.startsWith("pgwarden_plugin_hook_calls_total{hook=\"onAuth\",plugin=\"test-statement-policy\""));
    }
}
