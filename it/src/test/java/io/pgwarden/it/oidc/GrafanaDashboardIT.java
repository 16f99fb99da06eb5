package io.pgwarden.it.oidc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.nimbusds.jose.util.JSONObjectUtils;
import io.pgwarden.testkit.Closeables;
import io.pgwarden.testkit.EmbeddedPostgres;
import io.pgwarden.testkit.LogCapture;
import io.pgwarden.testkit.PasswordEncryption;
import io.pgwarden.testkit.PluginInstallation;
import io.pgwarden.testkit.ProxyFixture;
import io.pgwarden.testkit.TestCertificates;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.text.ParseException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Keeps distribution/src/main/grafana/pgwarden.json honest: a real proxy with the real scram, oidc and audit plugin
 * jars in front of a real PostgreSQL serves every metric the dashboard can show (logins of each kind through pgjdbc,
 * a pin), and every metric name in the dashboard's PromQL must be in that /metrics exposition, so
 * a renamed metric breaks the build. Every data source must be the {@code datasource} template variable. It lives
 * in the oidc package to use its OIDC provider fixture.
 */
class GrafanaDashboardIT {

    private static final Path DASHBOARD = Path.of("..", "distribution", "src", "main", "grafana", "pgwarden.json");
    private static final Pattern METRIC = Pattern.compile("\\bpgwarden_[a-z0-9_]+");
    private static final String DATASOURCE_UID = "${datasource}";
    private static final String SERVICE = "svc_dash";
    private static final String SERVICE_PASSWORD = "svc-Dash-8rT2q";
    private static final String BOB = "bob";
    private static final String BOB_PASSWORD = "bob-Dash-3kP9w";
    private static final String ALICE = "alice";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private static LogCapture log;
    private static TestCertificates certificates;
    private static EmbeddedPostgres postgres;
    private static OidcFixture provider;
    private static AllPlugins plugins;
    private static ProxyFixture proxy;
    private static final List<String> SECRETS = new ArrayList<>(List.of(SERVICE_PASSWORD, BOB_PASSWORD));

    /** The oidc plugin jar with the scram and audit jars copied beside it. */
    private static final class AllPlugins extends PluginInstallation {

        AllPlugins() {
            super(OidcPluginFixture.JAR_PROPERTY, "auth-oidc");
            copy("pgwarden.plugin.auth-scram", "auth-scram");
            copy("pgwarden.plugin.audit", "audit");
        }

        private void copy(String jarProperty, String module) {
            try {
                Files.copy(pluginJar(jarProperty, module), pluginsDirectory().resolve("pgwarden-" + module + ".jar"),
                        StandardCopyOption.COPY_ATTRIBUTES);
            } catch (IOException e) {
                throw new UncheckedIOException("could not copy the " + module + " plugin jar", e);
            }
        }
    }

    @BeforeAll
    static void start() throws Exception {
        log = LogCapture.start();
        certificates = TestCertificates.create();
        postgres = EmbeddedPostgres.builder()
                .hba("host all all 127.0.0.1/32 scram-sha-256")
                .role(SERVICE, SERVICE_PASSWORD, PasswordEncryption.SCRAM_SHA_256)
                .role(BOB, BOB_PASSWORD, PasswordEncryption.SCRAM_SHA_256)
                .start();
        provider = OidcFixture.start("dashboard");
        plugins = new AllPlugins();
        String userlist = plugins.writeFile("userlist.txt", "\"" + BOB + "\" \"" + storedSecret(BOB) + "\"\n").toString();
        String auditFile = plugins.directory().resolve("audit.jsonl").toString();
        proxy = plugins.startProxy("""
                listen:
                  host: 127.0.0.1
                  port: 0
                  tls: { mode: allow, cert: "%s", key: "%s" }
                backends:
                  pg: { host: 127.0.0.1, port: %d, tls: { mode: disable } }
                auth:
                  rules:
                    - { user: %s, method: oidc, strategy: service-account }
                    - { user: %s, method: scram-sha-256 }
                    - { method: passthrough }
                pool: { mode: transaction, size: 2 }
                admin:
                  http:
                    listen: "127.0.0.1:0"
                plugins:
                  - type: oidc
                    issuers:
                      - { issuer: "%s", audience: pgwarden, http_timeout: 2s }
                    strategy: service-account
                    service_accounts:
                      - { default: true, user: %s, password: "%s" }
                    limits: { max_connections_per_person: 5 }
                  - type: scram
                    userlist: "%s"
                    failures: { delay: 1ms, max_delay: 10ms, lockout_after: 1000 }
                  - type: audit
                    checkpoint_key: "%s"
                    file: { path: "%s" }
                """.formatted(certificates.serverCertificate(), certificates.serverKey(), postgres.port(), ALICE, BOB,
                provider.issuer(), SERVICE, plugins.secretReference("svc.password", SERVICE_PASSWORD), userlist,
                plugins.secretReference("audit.key", "dashboard-checkpoint-key-0123456789abcdef"), auditFile));
        traffic();
    }

    private static String storedSecret(String role) throws SQLException {
        try (Connection connection = postgres.superuserConnection();
             PreparedStatement statement = connection.prepareStatement("SELECT rolpassword FROM pg_catalog.pg_authid WHERE rolname = ?")) {
            statement.setString(1, role);
            try (ResultSet rs = statement.executeQuery()) {
                assertThat(rs.next()).isTrue();
                return rs.getString(1);
            }
        }
    }

    /** Moves every counter the dashboard shows, so that each is in the exposition. */
    private static void traffic() throws Exception {
        try (Connection connection = connect(SERVICE, SERVICE_PASSWORD); Statement statement = connection.createStatement()) {
            statement.execute("LISTEN dashboard_channel");
            statement.execute("SELECT 1");
        }
        try (Connection connection = connect(BOB, BOB_PASSWORD)) {
            assertThat(connection.isValid(5)).isTrue();
        }
        assertThat(catchThrowable(() -> connect(BOB, "not-" + BOB_PASSWORD).close())).isInstanceOf(SQLException.class);
        String token = provider.token(ALICE).issue();
        String expired = provider.token(ALICE).expiresIn(Duration.ofMinutes(-10)).issue();
        SECRETS.add(token);
        SECRETS.add(expired);
        try (Connection connection = TokenLogins.connect(proxy, "postgres", ALICE, token)) {
            assertThat(TokenLogins.query(connection, "SELECT session_user")).isEqualTo(SERVICE);
        }
        TokenLogins.assertRefused(TokenLogins.refusal(proxy, "postgres", ALICE, expired), "28000");
    }

    private static Connection connect(String user, String password) throws SQLException {
        String url = "jdbc:postgresql://127.0.0.1:" + proxy.port() + "/postgres?sslmode=disable&connectTimeout=15&socketTimeout=60";
        return DriverManager.getConnection(url, user, password);
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            Closeables.closeAll(plugins, provider, postgres, certificates);
        } finally {
            if (log != null) {
                log.assertNoneOf(SECRETS);
                log.close();
            }
        }
    }

    /** The metric names of a Prometheus text exposition: every sample's name and every {@code # TYPE} line's family. */
    static Set<String> exposedNames(String exposition) {
        Set<String> names = new TreeSet<>();
        for (String line : exposition.split("\n")) {
            if (line.startsWith("# TYPE ")) {
                names.add(line.split(" ")[2]);
            } else if (!line.isBlank() && !line.startsWith("#")) {
                int end = line.indexOf('{');
                names.add(line.substring(0, end >= 0 ? end : line.indexOf(' ')));
            }
        }
        return names;
    }

    /** Every {@code pgwarden_} metric name in the dashboard's panel and variable queries. */
    static Set<String> dashboardMetrics(Map<String, Object> dashboard) {
        Set<String> names = new TreeSet<>();
        for (String query : queries(dashboard)) {
            Matcher matcher = METRIC.matcher(query);
            while (matcher.find()) {
                names.add(matcher.group());
            }
        }
        return names;
    }

    /** The PromQL of every panel target and every query variable. */
    static List<String> queries(Object node) {
        List<String> queries = new ArrayList<>();
        collect(node, queries);
        return queries;
    }

    private static void collect(Object node, List<String> queries) {
        if (node instanceof Map<?, ?> map) {
            map.forEach((key, value) -> {
                if (value instanceof String text && ("expr".equals(key) || "query".equals(key) || "definition".equals(key))) {
                    queries.add(text);
                } else {
                    collect(value, queries);
                }
            });
        } else if (node instanceof List<?> list) {
            list.forEach(item -> collect(item, queries));
        }
    }

    /** What is wrong with the data sources: each must be a prometheus one whose uid is the {@code datasource} variable. */
    static List<String> datasourceProblems(Map<String, Object> dashboard) {
        List<String> problems = new ArrayList<>();
        checkDatasources(dashboard, "$", problems);
        return problems;
    }

    private static void checkDatasources(Object node, String path, List<String> problems) {
        if (node instanceof Map<?, ?> map) {
            map.forEach((key, value) -> {
                String at = path + "." + key;
                if ("datasource".equals(key) && !isDatasourceVariable(map)) {
                    if (!(value instanceof Map<?, ?> ds) || !DATASOURCE_UID.equals(ds.get("uid")) || !"prometheus".equals(ds.get("type"))) {
                        problems.add(at + " is " + value);
                    }
                }
                checkDatasources(value, at, problems);
            });
        } else if (node instanceof List<?> list) {
            for (int i = 0; i < list.size(); i++) {
                checkDatasources(list.get(i), path + "[" + i + "]", problems);
            }
        }
    }

    private static boolean isDatasourceVariable(Map<?, ?> map) {
        return "datasource".equals(map.get("type")) && "datasource".equals(map.get("name"));
    }

    private static Map<String, Object> dashboard() throws IOException, ParseException {
        assertThat(DASHBOARD).as("the dashboard, relative to the it module").isRegularFile();
        return JSONObjectUtils.parse(Files.readString(DASHBOARD));
    }

    private static String metricsText() throws IOException, InterruptedException {
        InetSocketAddress admin = proxy.server().adminAddress().orElseThrow();
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin.getPort() + "/metrics"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        return response.body();
    }

    @Test
    void everyMetricTheDashboardQueriesIsInTheProxysExposition() throws Exception {
        Set<String> exposed = exposedNames(metricsText());
        Set<String> used = dashboardMetrics(dashboard());

        assertThat(used).as("metric names in the dashboard").hasSizeGreaterThan(10);
        assertThat(exposed).as("names pgwarden exposes at /metrics").containsAll(used);
    }

    @Test
    void dashboardShowsEveryMetricTheIssueAsksFor() throws Exception {
        assertThat(dashboardMetrics(dashboard())).contains(
                "pgwarden_client_connections", "pgwarden_server_connections", "pgwarden_pool_wait_seconds_bucket",
                "pgwarden_pool_wait_seconds_max", "pgwarden_auth_results_total", "pgwarden_cancel_requests_total",
                "pgwarden_pool_pinned_total", "pgwarden_audit_dropped_total", "pgwarden_oidc_logins_total",
                "pgwarden_oidc_failures_total", "pgwarden_auth_failures_total", "pgwarden_client_bytes_total",
                "pgwarden_server_bytes_total", "pgwarden_plugin_hook_duration_seconds_bucket",
                "pgwarden_plugin_hook_calls_total", "pgwarden_plugin_hook_duration_seconds_max");
    }

    @Test
    void theExpositionTimesTheHooksOfEachLoadedPlugin() throws Exception {
        String exposition = metricsText();

        assertThat(exposition).contains("pgwarden_plugin_hook_duration_seconds_count{hook=\"onComplete\",plugin=\"audit\"}")
                .contains("pgwarden_plugin_hook_calls_total{hook=\"onComplete\",plugin=\"audit\"}")
                .contains("pgwarden_plugin_hook_duration_seconds_count{hook=\"onAuth\",plugin=\"oidc\"}")
                .contains("pgwarden_client_bytes_total{direction=\"sent\"}")
                .contains("pgwarden_server_bytes_total{direction=\"received\"}");
    }

    @Test
    void everyQuantileReadsHistogramBucketsByLe() throws Exception {
        List<String> quantiles = queries(dashboard()).stream().filter(query -> query.contains("histogram_quantile")).toList();

        assertThat(quantiles).as("quantile panels: pool wait, plugin hook latency").hasSizeGreaterThanOrEqualTo(4)
                .anyMatch(query -> query.contains("pgwarden_plugin_hook_duration_seconds_bucket"));
        assertThat(quantileProblems(quantiles)).isEmpty();
    }

    @Test
    void aQuantileOverACountOrWithoutLeIsReported() {
        List<String> broken = List.of(
                "histogram_quantile(0.99, sum by (plugin) (rate(pgwarden_plugin_hook_duration_seconds_bucket[5m])))",
                "histogram_quantile(0.5, sum by (le) (rate(pgwarden_pool_wait_seconds_count[5m])))");

        assertThat(quantileProblems(broken)).hasSize(2);
    }

    /** A histogram_quantile must aggregate {@code _bucket} series keeping {@code le}, or Prometheus returns nothing. */
    private static List<String> quantileProblems(List<String> quantiles) {
        Pattern keepsLe = Pattern.compile("by \\(([a-z_]+, )*le(, [a-z_]+)*\\)");
        List<String> problems = new ArrayList<>();
        for (String query : quantiles) {
            Matcher metric = METRIC.matcher(query);
            if (!metric.find() || !metric.group().endsWith("_bucket") || !keepsLe.matcher(query).find()) {
                problems.add(query);
            }
        }
        return problems;
    }

    @Test
    void aRenamedMetricIsNotInTheExposition() throws Exception {
        String renamed = Files.readString(DASHBOARD).replace("pgwarden_cancel_requests_total", "pgwarden_cancels_total");
        Set<String> used = dashboardMetrics(JSONObjectUtils.parse(renamed));

        assertThat(used).contains("pgwarden_cancels_total");
        assertThat(exposedNames(metricsText())).doesNotContain("pgwarden_cancels_total");
    }

    @Test
    void everyDataSourceIsTheTemplateVariable() throws Exception {
        Map<String, Object> dashboard = dashboard();

        assertThat(datasourceProblems(dashboard)).isEmpty();
        Map<String, Map<String, Object>> variables = new TreeMap<>();
        Map<String, Object> templating = JSONObjectUtils.getJSONObject(dashboard, "templating");
        for (Map<String, Object> variable : JSONObjectUtils.getJSONObjectArray(templating, "list")) {
            variables.put(JSONObjectUtils.getString(variable, "name"), variable);
        }
        assertThat(variables).containsKeys("datasource", "job", "instance");
        assertThat(variables.get("datasource")).containsEntry("type", "datasource").containsEntry("query", "prometheus");
        assertThat(((Number) dashboard.get("schemaVersion")).intValue()).isGreaterThanOrEqualTo(39);
    }

    @Test
    void aHardCodedDataSourceUidIsReported() throws Exception {
        String hardCoded = Files.readString(DASHBOARD).replaceFirst("\"\\$\\{datasource\\}\"", "\"P1809F7CD0C75ACF3\"");

        assertThat(datasourceProblems(JSONObjectUtils.parse(hardCoded))).singleElement().asString().contains("P1809F7CD0C75ACF3");
    }
}
