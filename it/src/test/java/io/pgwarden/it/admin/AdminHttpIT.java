package io.pgwarden.it.admin;

import static io.pgwarden.it.admin.PrometheusText.value;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.pgwarden.testkit.BackendActivity;
import io.pgwarden.testkit.Closeables;
import io.pgwarden.testkit.EmbeddedPostgres;
import io.pgwarden.testkit.LeakCheckExtension;
import io.pgwarden.testkit.LogCapture;
import io.pgwarden.testkit.PasswordEncryption;
import io.pgwarden.testkit.ProxyFixture;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.postgresql.util.PSQLException;

/**
 * The admin HTTP endpoint of a real proxy in front of a real PostgreSQL, with pgjdbc traffic: /health,
 * /ready following the backend as it stops and comes back, /metrics as strict Prometheus text whose
 * counters move with logins, waits and cancels, and everything else refused.
 */
@ExtendWith(LeakCheckExtension.class)
class AdminHttpIT {

    private static final String APP_PASSWORD = "app-secret-4417";

    private static EmbeddedPostgres postgres;
    private static ProxyFixture proxy;
    private static InetSocketAddress admin;
    private static LogCapture log;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

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
                pool:
                  size: 1
                admin:
                  http:
                    listen: "127.0.0.1:0"
                    ready_check_interval: 200ms
                """.formatted(postgres.port()));
        admin = proxy.server().adminAddress().orElseThrow();
    }

    @AfterAll
    static void stop() throws Exception {
        Closeables.closeAll(proxy, postgres, () -> log.assertNoneOf(List.of(APP_PASSWORD)), log);
    }

    private static HttpResponse<String> send(String method, String path) throws IOException, InterruptedException {
        return send(admin, method, path);
    }

    private static HttpResponse<String> send(InetSocketAddress to, String method, String path) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + to.getPort() + path))
                .method(method, HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofSeconds(10)).build();
        return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return send("GET", path);
    }

    private static HttpResponse<String> awaitResponse(String path, Predicate<HttpResponse<String>> condition) throws Exception {
        return awaitResponse(admin, path, condition);
    }

    private static HttpResponse<String> awaitResponse(InetSocketAddress to, String path, Predicate<HttpResponse<String>> condition)
            throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        HttpResponse<String> response = send(to, "GET", path);
        while (!condition.test(response)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no such answer within 20s; last: " + response.statusCode() + " " + response.body());
            }
            Thread.sleep(50);
            response = send(to, "GET", path);
        }
        return response;
    }

    private static Map<String, Double> scrape() throws Exception {
        return PrometheusText.scrape(admin);
    }

    private static Connection connect(String user, String password) throws SQLException {
        return connect(proxy.port(), user, password);
    }

    private static Connection connect(int port, String user, String password) throws SQLException {
        String url = "jdbc:postgresql://127.0.0.1:" + port + "/postgres?user=" + user
                + "&sslmode=disable&connectTimeout=15&socketTimeout=60" + (password == null ? "" : "&password=" + password);
        return DriverManager.getConnection(url);
    }

    @Test
    void adminEndpointHasItsOwnPortAndTheClientPortDoesNotSpeakHttp() throws Exception {
        assertThat(admin.getPort()).isNotEqualTo(proxy.port()).isPositive();

        try (Socket socket = new Socket("127.0.0.1", proxy.port())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write("GET /health HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            String answer = new String(in.readNBytes(8), StandardCharsets.ISO_8859_1);
            assertThat(answer).doesNotStartWith("HTTP/");
        }
    }

    @Test
    void healthIsOkAndReadyIs200WhileTheBackendIsUp() throws Exception {
        HttpResponse<String> health = get("/health");
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(health.body()).isEqualTo("ok\n");

        HttpResponse<String> ready = awaitResponse("/ready", r -> r.statusCode() == 200);
        assertThat(ready.body()).isEqualTo("ready\n");

        HttpResponse<String> head = send("HEAD", "/ready");
        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(head.body()).isEmpty();
    }

    @Test
    void unknownPathsAre404AndOtherMethods405() throws Exception {
        assertThat(get("/").statusCode()).isEqualTo(404);
        assertThat(get("/status").statusCode()).isEqualTo(404);
        assertThat(get("/metrics/extra").statusCode()).isEqualTo(404);

        HttpResponse<String> post = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin.getPort() + "/metrics"))
                .POST(HttpRequest.BodyPublishers.ofString("x=1")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(post.statusCode()).isEqualTo(405);
        assertThat(post.headers().firstValue("allow")).hasValue("GET, HEAD");
        assertThat(send("DELETE", "/ready").statusCode()).isEqualTo(405);
        assertThat(send("PUT", "/health").statusCode()).isEqualTo(405);
    }

    @Test
    void readyTurns503WhenThePostgresStopsAnd200WhenItReturns() throws Exception {
        awaitResponse("/ready", r -> r.statusCode() == 200);

        postgres.stopServer();
        HttpResponse<String> down;
        try {
            down = awaitResponse("/ready", r -> r.statusCode() == 503);
        } finally {
            postgres.restartServer();
        }
        assertThat(down.body()).startsWith("not ready\n")
                .contains("backend primary (127.0.0.1:" + postgres.port() + "): not reachable (")
                .doesNotContain(APP_PASSWORD);
        assertThat(get("/health").statusCode()).isEqualTo(200);

        assertThat(awaitResponse("/ready", r -> r.statusCode() == 200).body()).isEqualTo("ready\n");
        try (Connection connection = connect("postgres", null); Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SELECT 42")) {
            assertThat(rows.next()).isTrue();
            assertThat(rows.getInt(1)).isEqualTo(42);
        }
    }

    @Test
    void metricsAreStrictPrometheusTextAndMoveWithTraffic() throws Exception {
        awaitResponse("/ready", r -> r.statusCode() == 200);
        Map<String, Double> before = scrape();
        String success = "pgwarden_auth_results_total{method=\"passthrough\",reason=\"ok\",result=\"success\"}";
        String failure = "pgwarden_auth_results_total{method=\"passthrough\",reason=\"bad_password\",result=\"failure\"}";
        String noRule = "pgwarden_auth_results_total{method=\"none\",reason=\"no_rule\",result=\"no_rule\"}";

        try (Connection held = connect("app", APP_PASSWORD)) {
            held.setAutoCommit(false);
            try (Statement statement = held.createStatement()) {
                statement.execute("SELECT 1");
            }
            Map<String, Double> during = scrape();
            assertThat(value(during, "pgwarden_client_connections{state=\"active\"}")).isGreaterThanOrEqualTo(1);
            assertThat(value(during, "pgwarden_server_connections{state=\"active\"}")).isGreaterThanOrEqualTo(1);
            assertThat(value(during, success)).isEqualTo(value(before, success) + 1);

            // The pool has one server, held above: a second client waits until the first leaves.
            CompletableFuture<Connection> waiting = CompletableFuture.supplyAsync(() -> {
                try {
                    return connect("app", APP_PASSWORD);
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            });
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (value(scrape(), "pgwarden_client_connections{state=\"waiting\"}") < 1) {
                assertThat(System.nanoTime()).as("a client waits for the pool's only server").isLessThan(deadline);
                Thread.sleep(20);
            }
            held.close();
            waiting.get(20, TimeUnit.SECONDS).close();
        }

        Throwable wrongPassword = catchThrowable(() -> connect("app", "wrong-password").close());
        assertThat(wrongPassword).isInstanceOf(PSQLException.class);
        Throwable noRuleLogin = catchThrowable(() -> DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + proxy.port()
                + "/template1?user=postgres&sslmode=disable").close());
        assertThat(noRuleLogin).isInstanceOf(PSQLException.class);
        assertThat(((PSQLException) noRuleLogin).getSQLState()).isEqualTo("28000");

        try (Connection connection = connect("postgres", null); Statement statement = connection.createStatement()) {
            CompletableFuture<Void> cancel = CompletableFuture.runAsync(() -> {
                try {
                    // Cancel once the sleep runs on the server; a cancel that arrives earlier cancels nothing.
                    BackendActivity.of(postgres, "postgres").awaitRunning("pg_sleep(30)", Duration.ofSeconds(10));
                    statement.cancel();
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            });
            Throwable cancelled = catchThrowable(() -> statement.execute("SELECT pg_sleep(30)"));
            cancel.get(10, TimeUnit.SECONDS);
            assertThat(((PSQLException) cancelled).getSQLState()).isEqualTo("57014");
        }

        Map<String, Double> after = scrape();
        assertThat(value(after, success)).isGreaterThanOrEqualTo(value(before, success) + 3);
        assertThat(value(after, failure)).isEqualTo(value(before, failure) + 1);
        assertThat(value(after, noRule)).isEqualTo(value(before, noRule) + 1);
        assertThat(value(after, "pgwarden_cancel_requests_total")).isEqualTo(value(before, "pgwarden_cancel_requests_total") + 1);
        String waits = "pgwarden_pool_wait_seconds_count";
        assertThat(value(after, waits)).isGreaterThanOrEqualTo(value(before, waits) + 1);
        assertThat(value(after, "pgwarden_pool_wait_seconds_bucket{le=\"+Inf\"}")).isEqualTo(value(after, waits));
        assertThat(after).containsKeys("pgwarden_client_connections{state=\"login\"}", "pgwarden_client_connections{state=\"waiting\"}",
                "pgwarden_server_connections{state=\"idle\"}", "pgwarden_server_connections{state=\"opening\"}");
    }

    @Test
    void readyIs503AndHealthStays200WhileAShutdownDrainsThenTheEndpointCloses() throws Exception {
        ProxyFixture draining = ProxyFixture.fromYaml("""
                listen: { host: 127.0.0.1, port: 0 }
                backends:
                  primary: { host: 127.0.0.1, port: %d, tls: { mode: disable } }
                auth:
                  rules:
                    - { method: passthrough }
                limits:
                  shutdown_timeout: 20s
                admin:
                  http:
                    listen: "127.0.0.1:0"
                    ready_check_interval: 200ms
                """.formatted(postgres.port()));
        InetSocketAddress address = draining.server().adminAddress().orElseThrow();
        CompletableFuture<Void> closing = null;
        try (Connection busy = connect(draining.port(), "postgres", null); Statement statement = busy.createStatement()) {
            awaitResponse(address, "/ready", r -> r.statusCode() == 200);
            busy.setAutoCommit(false);
            statement.execute("SELECT 1");

            closing = CompletableFuture.runAsync(draining::close);
            HttpResponse<String> ready = awaitResponse(address, "/ready", r -> r.statusCode() == 503);
            assertThat(ready.body()).isEqualTo("not ready\nproxy: shutting down\n");
            assertThat(send(address, "GET", "/health").statusCode()).isEqualTo(200);
            assertThat(closing).isNotDone();

            busy.commit();
            closing.get(30, TimeUnit.SECONDS);
        } finally {
            if (closing == null) {
                draining.close();
            }
        }
        assertThatThrownBy(() -> send(address, "GET", "/health")).isInstanceOf(IOException.class);
    }

    @Test
    void prometheusReaderRefusesBrokenText() {
        String good = "# HELP a_total x\n# TYPE a_total counter\na_total{m=\"x\"} 1.0\n";
        assertThat(PrometheusText.parse(good)).containsEntry("a_total{m=\"x\"}", 1.0);

        for (String broken : List.of("a_total 1.0\n", "# TYPE a counter\na_total{m=x} 1\n", "# TYPE a counter\na_total{m=\"x\" 1\n",
                "# TYPE a gauge\na one\n", "# TYPE a gauge\na 1\na 2\n", "# TYPE a gauge\n\na 1\n", "# TYPE a gauge\na 1",
                "# TYPE h histogram\nh_bucket 1\n", "# COMMENT\n")) {
            assertThatThrownBy(() -> PrometheusText.parse(broken)).as(broken).isInstanceOf(AssertionError.class);
        }
    }
}
