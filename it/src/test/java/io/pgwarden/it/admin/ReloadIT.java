package io.pgwarden.it.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.pgwarden.core.config.ConfigLoader;
import io.pgwarden.core.config.ReloadOutcome;
import io.pgwarden.core.server.PgwardenServer;
import io.pgwarden.core.server.ReloadSignal;
import io.pgwarden.testkit.Await;
import io.pgwarden.testkit.Closeables;
import io.pgwarden.testkit.EmbeddedPostgres;
import io.pgwarden.testkit.LeakCheckExtension;
import io.pgwarden.testkit.LogCapture;
import io.pgwarden.testkit.Psql;
import io.pgwarden.testkit.TestCertificates;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import sun.misc.Signal;

/**
 * Reloading the configuration file of a real proxy in front of a real PostgreSQL, through the admin
 * console (pgjdbc and psql) and SIGHUP: a larger pool lets a waiting transaction in while open
 * sessions go on, an invalid file is refused with F0000 naming the YAML path and changes nothing, a
 * removed auth rule refuses new logins but not the session already in, settings that need a restart
 * are reported and kept, and a certificate rotated on disk is what the next TLS handshake sees.
 */
@ExtendWith(LeakCheckExtension.class)
class ReloadIT {

    private static final Duration WAIT = Duration.ofSeconds(30);

    private static EmbeddedPostgres postgres;
    private static LogCapture log;

    @TempDir
    Path dir;

    private Path file;
    private PgwardenServer server;
    private final ExecutorService background = Executors.newCachedThreadPool();

    @BeforeAll
    static void startPostgres() {
        log = LogCapture.start();
        postgres = EmbeddedPostgres.builder().role("app").role("bob").database("app", "app").start();
        postgres.execute("app", "GRANT ALL ON DATABASE app TO bob");
    }

    @AfterAll
    static void stopPostgres() throws Exception {
        Closeables.closeAll(postgres, log);
    }

    @AfterEach
    void stopProxy() throws Exception {
        background.shutdownNow();
        if (server != null) {
            server.close();
        }
        assertThat(background.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }

    private static String config(String rules, String pool, String extra) {
        return """
                listen: { host: 127.0.0.1, port: 0%s }
                backends:
                  pg: { host: 127.0.0.1, port: %d, tls: { mode: disable } }
                auth:
                  rules:
                    - { database: pgwarden, method: trust }
                %s
                pool: %s
                admin:
                  console:
                    users: [ ops ]
                """.formatted(extra, postgres.port(), rules, pool);
    }

    private static final String APP_AND_BOB = "    - { user: app, method: trust }\n    - { user: bob, method: trust }";
    private static final String APP_ONLY = "    - { user: app, method: trust }";
    private static final String TRANSACTION_2 = "{ mode: transaction, size: 2, query_wait_timeout: 60s }";

    private void start(String yaml) throws Exception {
        file = dir.resolve("pgwarden.yaml");
        Files.writeString(file, yaml);
        server = PgwardenServer.start(ConfigLoader.load(file), file);
    }

    private void rewrite(String yaml) throws IOException {
        Files.writeString(file, yaml);
    }

    private Connection connect(String user, String options) throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + server.address().getPort() + "/app?user=" + user
                + "&sslmode=disable&connectTimeout=20&socketTimeout=120" + options);
    }

    private Connection console() throws SQLException {
        // assumeMinServerVersion keeps pgjdbc from sending SET commands after login, which the console does not take.
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + server.address().getPort()
                + "/pgwarden?user=ops&sslmode=disable&preferQueryMode=simple&assumeMinServerVersion=9.0");
    }

    private static String scalar(Connection connection, String sql) throws SQLException {
        try (Statement statement = connection.createStatement(); ResultSet rs = statement.executeQuery(sql)) {
            assertThat(rs.next()).isTrue();
            return rs.getString(1);
        }
    }

    private static String poolSize(Connection console) throws SQLException {
        try (Statement statement = console.createStatement(); ResultSet rs = statement.executeQuery("SHOW CONFIG")) {
            while (rs.next()) {
                if (rs.getString("key").equals("pool.size")) {
                    return rs.getString("value");
                }
            }
        }
        throw new AssertionError("no pool.size in SHOW CONFIG");
    }

    private int waiting() {
        return server.pools().stream().filter(pool -> pool.database().equals("app")).mapToInt(pool -> pool.waiting()).sum();
    }

    private double reloads(String result) {
        String line = "pgwarden_config_reloads_total{result=\"" + result + "\"} ";
        return server.metricsText().lines().filter(l -> l.startsWith(line)).mapToDouble(l -> Double.parseDouble(l.substring(line.length())))
                .findFirst().orElseThrow(() -> new AssertionError("no " + line + " in the metrics"));
    }

    @Test
    void largerPoolLetsTheWaitingTransactionInWhileOpenSessionsGoOn() throws Exception {
        start(config(APP_AND_BOB, TRANSACTION_2, ""));
        try (Connection first = connect("app", ""); Connection second = connect("app", ""); Connection third = connect("app", "");
             Connection console = console()) {
            first.setAutoCommit(false);
            second.setAutoCommit(false);
            assertThat(scalar(first, "SELECT 1")).isEqualTo("1");
            assertThat(scalar(second, "SELECT 2")).isEqualTo("2");
            Future<String> blocked = background.submit(() -> scalar(third, "SELECT 3"));
            Await.until("the third transaction waits for a server", WAIT, () -> waiting() == 1);

            rewrite(config(APP_AND_BOB, "{ mode: transaction, size: 3, query_wait_timeout: 60s }", ""));
            try (Statement statement = console.createStatement()) {
                statement.execute("RELOAD");
                assertThat((Throwable) statement.getWarnings()).as("nothing needs a restart").isNull();
            }

            assertThat(blocked.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo("3");
            assertThat(poolSize(console)).as("the console session opened before the reload shows the new setting").isEqualTo("3");
            assertThat(scalar(first, "SELECT 'still in the transaction'")).isEqualTo("still in the transaction");
            first.commit();
            second.commit();
        }
        assertThat(reloads("applied")).isEqualTo(1.0);
        assertThat(reloads("rejected")).isZero();
    }

    /**
     * {@link #config} with the admin HTTP endpoint, checking its backends every 100 ms: {@code pg} and the given
     * ones (whole YAML lines).
     */
    private static String withReadiness(String moreBackends) {
        return config("", TRANSACTION_2, "").replace("backends:\n", "backends:\n" + moreBackends)
                + "  http: { listen: \"127.0.0.1:0\", ready_check_interval: 100ms }\n";
    }

    /** The status and body of {@code /ready}, or why there was none. */
    private String ready() {
        InetSocketAddress admin = server.adminAddress().orElseThrow();
        try {
            HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + admin.getPort() + "/ready")).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return response.statusCode() + " " + response.body();
        } catch (IOException e) {
            return "no answer: " + e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    @Test
    void readyChecksTheBackendsOfTheReloadedFile() throws Exception {
        int closed;
        try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = free.getLocalPort();
        }
        start(withReadiness(""));
        Await.until("/ready 200 at start", WAIT, () -> ready().startsWith("200 "));

        rewrite(withReadiness("  gone: { host: 127.0.0.1, port: %d, tls: { mode: disable } }\n".formatted(closed)));
        try (Connection console = console(); Statement statement = console.createStatement()) {
            statement.execute("RELOAD");
        }
        Await.until("/ready 503 for the backend the reload added", WAIT,
                () -> ready().matches("(?s)503 .*backend gone \\(127\\.0\\.0\\.1:" + closed + "\\): not reachable.*"));

        rewrite(withReadiness(""));
        try (Connection console = console(); Statement statement = console.createStatement()) {
            statement.execute("RELOAD");
        }
        Await.until("/ready 200 once the reload removed it", WAIT, () -> ready().startsWith("200 "));
        assertThat(ready()).isEqualTo("200 ready\n");
    }

    @Test
    void invalidFileIsRefusedWithConfigFileErrorAndChangesNothing() throws Exception {
        start(config(APP_AND_BOB, TRANSACTION_2, ""));
        try (Connection app = connect("app", ""); Connection console = console()) {
            rewrite(config(APP_ONLY, "{ mode: transaction, size: 0 }", ""));

            SQLException refused = catchThrowableOfType(SQLException.class, () -> {
                try (Statement statement = console.createStatement()) {
                    statement.execute("reload;");
                }
            });

            assertThat((Throwable) refused).isNotNull();
            assertThat(refused.getSQLState()).isEqualTo("F0000");
            assertThat(refused.getMessage()).contains("pool.size");
            assertThat(scalar(console, "SHOW VERSION")).as("the console session goes on").startsWith("pgwarden ");
            assertThat(scalar(app, "SELECT 'unaffected'")).isEqualTo("unaffected");
            try (Connection bob = connect("bob", "")) {
                assertThat(scalar(bob, "SELECT current_user")).as("the old rules are still in force").isEqualTo("bob");
            }
        }
        assertThat(reloads("rejected")).isEqualTo(1.0);
        assertThat(reloads("applied")).isZero();
    }

    @Test
    void psqlReloadReportsTheProblemWithItsYamlPath() throws Exception {
        Assumptions.assumeTrue(Psql.installed(), "psql not installed: test skipped");
        start(config(APP_AND_BOB, TRANSACTION_2, ""));
        List<String> arguments = List.of("-At", "-h", "127.0.0.1", "-p", Integer.toString(server.address().getPort()), "-U", "ops",
                "-d", "pgwarden", "-v", "ON_ERROR_STOP=1", "-c", "RELOAD");

        rewrite(config(APP_AND_BOB, "{ mode: transaction, size: 2, max_prepared_statments: 5 }", ""));
        Psql.Result refused = Psql.run(dir, arguments, Map.of("PGSSLMODE", "disable"));
        rewrite(config(APP_AND_BOB, "{ mode: transaction, size: 3 }", ""));
        Psql.Result applied = Psql.run(dir, arguments, Map.of("PGSSLMODE", "disable"));

        assertThat(refused.exitCode()).as(refused.stderr()).isNotZero();
        assertThat(refused.stderr()).contains("ERROR:").contains("pool.max_prepared_statments");
        assertThat(applied.exitCode()).as(applied.stderr()).isZero();
        assertThat(applied.stdout().strip()).isEqualTo("RELOAD");
    }

    @Test
    void removedRuleRefusesNewLoginsButNotTheSessionAlreadyIn() throws Exception {
        start(config(APP_AND_BOB, TRANSACTION_2, ""));
        try (Connection bob = connect("bob", ""); Connection console = console()) {
            assertThat(scalar(bob, "SELECT 1")).isEqualTo("1");

            rewrite(config(APP_ONLY, TRANSACTION_2, ""));
            try (Statement statement = console.createStatement()) {
                statement.execute("RELOAD");
            }

            SQLException refused = catchThrowableOfType(SQLException.class, () -> connect("bob", "").close());
            assertThat((Throwable) refused).isNotNull();
            assertThat(refused.getSQLState()).isEqualTo("28000");
            assertThat(scalar(bob, "SELECT 'still here'")).isEqualTo("still here");
            try (Connection app = connect("app", "")) {
                assertThat(scalar(app, "SELECT current_user")).isEqualTo("app");
            }
        }
    }

    @Test
    void sqlReloadOverAServerSessionGoesToPostgresAndReloadsNothing() throws Exception {
        start(config(APP_AND_BOB, TRANSACTION_2, ""));
        rewrite(config(APP_ONLY, TRANSACTION_2, ""));
        try (Connection bob = connect("bob", "")) {
            SQLException refused = catchThrowableOfType(SQLException.class, () -> {
                try (Statement statement = bob.createStatement()) {
                    statement.execute("RELOAD");
                }
            });
            assertThat((Throwable) refused).isNotNull();
            assertThat(refused.getSQLState()).as("PostgreSQL's syntax error").isEqualTo("42601");
        }
        try (Connection bob = connect("bob", "")) {
            assertThat(scalar(bob, "SELECT current_user")).as("the rules did not change").isEqualTo("bob");
        }
        assertThat(reloads("applied")).isZero();
    }

    @Test
    void settingsThatNeedARestartAreReportedAndKept() throws Exception {
        start(config(APP_AND_BOB, TRANSACTION_2, ""));
        int port = server.address().getPort();
        try (Connection console = console(); Statement statement = console.createStatement()) {
            rewrite(config(APP_AND_BOB, TRANSACTION_2, "").replace("port: 0 }", "port: 1 }")
                    .replace("users: [ ops ]", "users: [ ops ]\n  http: { listen: \"127.0.0.1:0\" }"));

            statement.execute("RELOAD");

            SQLWarning warning = statement.getWarnings();
            assertThat((Throwable) warning).isNotNull();
            assertThat(warning.getMessage()).contains("listen.port").contains("admin.http");
        }
        assertThat(server.address().getPort()).isEqualTo(port);
        assertThat(server.adminAddress()).isEmpty();
        try (Connection app = connect("app", "")) {
            assertThat(scalar(app, "SELECT 1")).isEqualTo("1");
        }
    }

    @Test
    void sighupReloadsAndTheNextHandshakeSeesTheRotatedCertificate() throws Exception {
        try (TestCertificates certificates = TestCertificates.create()) {
            Path cert = dir.resolve("server.pem");
            Path key = dir.resolve("server.key");
            Files.copy(certificates.serverCertificate(), cert);
            Files.copy(certificates.serverKey(), key);
            start(config(APP_AND_BOB, TRANSACTION_2, ", tls: { mode: allow, cert: server.pem, key: server.key }"));
            Optional<ReloadSignal> signal = ReloadSignal.install(server);
            Assumptions.assumeTrue(signal.isPresent(), "SIGHUP is not available to this JVM: test skipped");
            try (ReloadSignal installed = signal.get(); Connection plain = connect("app", "")) {
                X509Certificate before = read(certificates.serverCertificate());
                X509Certificate rotated = read(certificates.unrelatedServerCertificate());
                assertThat(handshakeCertificate()).isEqualTo(before);
                try (Connection encrypted = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + server.address().getPort()
                        + "/app?user=app&sslmode=require")) {
                    assertThat(scalar(encrypted, "SELECT 1")).isEqualTo("1");

                    Files.copy(certificates.unrelatedServerCertificate(), cert, StandardCopyOption.REPLACE_EXISTING);
                    Files.copy(certificates.unrelatedServerKey(), key, StandardCopyOption.REPLACE_EXISTING);
                    Signal.raise(new Signal("HUP"));

                    Await.until("a reload after SIGHUP", WAIT, () -> reloads("applied") == 1.0);
                    assertThat(handshakeCertificate()).isEqualTo(rotated);
                    assertThat(scalar(encrypted, "SELECT 'the TLS session goes on'")).isEqualTo("the TLS session goes on");
                }
                assertThat(scalar(plain, "SELECT 2")).as("a plaintext session goes on too").isEqualTo("2");
            }
        }
    }

    @Test
    void unreadableCertificateRejectsTheReloadAndTheOldOneStays() throws Exception {
        try (TestCertificates certificates = TestCertificates.create()) {
            Path cert = dir.resolve("server.pem");
            Files.copy(certificates.serverCertificate(), cert);
            Files.copy(certificates.serverKey(), dir.resolve("server.key"));
            start(config(APP_AND_BOB, TRANSACTION_2, ", tls: { mode: allow, cert: server.pem, key: server.key }"));
            Files.writeString(cert, "not a certificate");

            ReloadOutcome outcome = server.reload("test").toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);

            assertThat(outcome).isInstanceOfSatisfying(ReloadOutcome.Rejected.class,
                    rejected -> assertThat(rejected.problems()).singleElement().asString().startsWith("listen.tls"));
            assertThat(handshakeCertificate()).isEqualTo(read(certificates.serverCertificate()));
        }
    }

    private static X509Certificate read(Path pem) throws Exception {
        try (InputStream in = Files.newInputStream(pem)) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
    }

    /** Opens a TLS session as libpq does (SSLRequest, then the handshake) and returns the proxy's certificate. */
    private X509Certificate handshakeCertificate() throws Exception {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, new TrustManager[] {new AcceptAnyCertificate()}, null);
        try (Socket plain = new Socket("127.0.0.1", server.address().getPort())) {
            DataOutputStream out = new DataOutputStream(plain.getOutputStream());
            out.writeInt(8);
            out.writeInt(80877103);
            out.flush();
            assertThat((char) new DataInputStream(plain.getInputStream()).readByte()).isEqualTo('S');
            try (SSLSocket tls = (SSLSocket) context.getSocketFactory().createSocket(plain, "127.0.0.1", plain.getPort(), false)) {
                tls.startHandshake();
                return (X509Certificate) tls.getSession().getPeerCertificates()[0];
            }
        }
    }

    /** The test only reads which certificate the proxy presents; it trusts any. */
    private static final class AcceptAnyCertificate implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
