package io.pgwarden.it.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.pgwarden.testkit.Await;
import io.pgwarden.testkit.BackgroundTasks;
import io.pgwarden.testkit.Closeables;
import io.pgwarden.testkit.EmbeddedPostgres;
import io.pgwarden.testkit.LeakCheckExtension;
import io.pgwarden.testkit.LogCapture;
import io.pgwarden.testkit.PasswordEncryption;
import io.pgwarden.testkit.PluginInstallation;
import io.pgwarden.testkit.ProxyFixture;
import io.pgwarden.testkit.Psql;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The admin console's SHOW SERVERS, STATS, CONFIG and PLUGINS, and PAUSE, RESUME, KILL and SHUTDOWN,
 * on a real proxy in transaction mode in front of a real PostgreSQL, through pgjdbc and psql.
 */
@ExtendWith(LeakCheckExtension.class)
class AdminConsoleCommandsIT {

    private static final String APP_PASSWORD = "app-secret-6120";
    private static final Duration LIMIT = Duration.ofSeconds(30);

    private static EmbeddedPostgres postgres;
    private static ProxyFixture proxy;
    private static LogCapture log;
    private static Path configDirectory;

    @BeforeAll
    static void start() throws IOException {
        log = LogCapture.start();
        postgres = EmbeddedPostgres.builder()
                .role("app", APP_PASSWORD, PasswordEncryption.SCRAM_SHA_256)
                .database("second", "app")
                .hba("host all app 127.0.0.1/32 scram-sha-256")
                .start();
        configDirectory = Files.createTempDirectory("console-it");
        Files.writeString(configDirectory.resolve("app.password"), APP_PASSWORD);
        proxy = ProxyFixture.fromYaml(yaml(), configDirectory);
    }

    private static String yaml() {
        return """
                listen: { host: 127.0.0.1, port: 0 }
                backends:
                  primary: { host: 127.0.0.1, port: %d, tls: { mode: disable } }
                pool: { mode: transaction, size: 4 }
                auth:
                  rules:
                    - { database: pgwarden, method: trust }
                    - method: trust
                      login: { user: app, password: "${file:app.password}" }
                admin:
                  console:
                    users: [ ops ]
                """.formatted(postgres.port());
    }

    @AfterAll
    static void stop() throws Exception {
        Closeables.closeAll(proxy, postgres, () -> log.assertNoneOf(List.of(APP_PASSWORD)), log,
                () -> Files.deleteIfExists(configDirectory.resolve("app.password")), () -> Files.deleteIfExists(configDirectory));
    }

    private static Connection console(ProxyFixture target) throws SQLException {
        return DriverManager.getConnection(target.jdbcUrl("pgwarden", "ops") + "&sslmode=disable&preferQueryMode=simple"
                + "&assumeMinServerVersion=9.0");
    }

    private static Connection client(String database) throws SQLException {
        return DriverManager.getConnection(proxy.jdbcUrl(database, "someone") + "&sslmode=disable&assumeMinServerVersion=9.0"
                + "&preferQueryMode=simple");
    }

    private static List<Map<String, String>> show(Connection connection, String command) throws SQLException {
        try (Statement statement = connection.createStatement(); ResultSet rs = statement.executeQuery(command)) {
            ResultSetMetaData meta = rs.getMetaData();
            List<String> columns = new ArrayList<>();
            for (int i = 1; i <= meta.getColumnCount(); i++) {
                columns.add(meta.getColumnName(i));
            }
            List<Map<String, String>> rows = new ArrayList<>();
            while (rs.next()) {
                Map<String, String> row = new HashMap<>();
                for (String column : columns) {
                    row.put(column, rs.getString(column));
                }
                rows.add(row);
            }
            rows.add(0, Map.of("#columns", String.join(",", columns)));
            return rows;
        }
    }

    private static List<String> columns(List<Map<String, String>> table) {
        return List.of(table.get(0).get("#columns").split(","));
    }

    private static List<Map<String, String>> rows(List<Map<String, String>> table) {
        return table.subList(1, table.size());
    }

    private static void execute(Connection connection, String command) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute(command);
        }
    }

    private static long queryLong(Connection connection, String sql) throws SQLException {
        try (Statement statement = connection.createStatement(); ResultSet rs = statement.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static Map<String, String> statsOf(Connection console, String database) throws SQLException {
        return rows(show(console, "SHOW STATS")).stream().filter(row -> database.equals(row.get("database"))).findFirst()
                .orElseThrow();
    }

    private static Map<String, String> poolOf(Connection console, String database) throws SQLException {
        return rows(show(console, "SHOW POOLS")).stream().filter(row -> database.equals(row.get("database"))).findFirst()
                .orElseThrow();
    }

    @Test
    void statsCountQueriesAndTransactionsOfRealTraffic() throws SQLException {
        try (Connection app = client("postgres"); Connection console = console(proxy)) {
            queryLong(app, "SELECT 1");
            Map<String, String> before = statsOf(console, "postgres");
            assertThat(columns(show(console, "SHOW STATS"))).startsWith("database", "total_xact_count", "total_query_count",
                    "total_xact_time", "total_query_time", "total_wait_time", "avg_xact_time", "avg_query_time");

            queryLong(app, "SELECT 2");
            app.setAutoCommit(false);
            queryLong(app, "SELECT 3");
            queryLong(app, "SELECT 1 FROM pg_sleep(0.01)");
            app.commit();
            app.setAutoCommit(true);

            Map<String, String> after = statsOf(console, "postgres");
            long queries = Long.parseLong(after.get("total_query_count")) - Long.parseLong(before.get("total_query_count"));
            long transactions = Long.parseLong(after.get("total_xact_count")) - Long.parseLong(before.get("total_xact_count"));
            // SELECT 2; BEGIN, SELECT 3, SELECT pg_sleep, COMMIT (pgjdbc sends BEGIN with the first statement in simple mode).
            assertThat(queries).isBetween(4L, 5L);
            assertThat(transactions).isEqualTo(2);
            assertThat(Long.parseLong(after.get("total_xact_time")) - Long.parseLong(before.get("total_xact_time")))
                    .as("the transaction slept 10 ms").isGreaterThanOrEqualTo(10_000);
            assertThat(after.get("backend")).isEqualTo("primary");
        }
    }

    @Test
    void serversShowTheConnectionAClientHoldsInItsTransaction() throws SQLException {
        try (Connection app = client("postgres"); Connection console = console(proxy)) {
            app.setAutoCommit(false);
            long pid = queryLong(app, "SELECT pg_backend_pid()");
            List<Map<String, String>> servers = show(console, "SHOW SERVERS");
            assertThat(columns(servers)).startsWith("type", "user", "database", "state", "addr", "port", "local_addr", "local_port",
                    "connect_time", "request_time", "wait", "wait_us", "close_needed", "ptr", "link", "remote_pid", "tls",
                    "application_name", "prepared_statements");
            assertThat(rows(servers)).anySatisfy(row -> {
                assertThat(row.get("remote_pid")).isEqualTo(Long.toString(pid));
                assertThat(row.get("state")).isEqualTo("active");
                assertThat(row.get("type")).isEqualTo("S");
                assertThat(row.get("user")).isEqualTo("app");
                assertThat(row.get("database")).isEqualTo("postgres");
                assertThat(row.get("port")).isEqualTo(Integer.toString(postgres.port()));
                assertThat(row.get("link")).isNotEmpty();
            });
            app.commit();
            assertThat(rows(show(console, "SHOW SERVERS"))).anySatisfy(row -> {
                assertThat(row.get("remote_pid")).isEqualTo(Long.toString(pid));
                assertThat(row.get("state")).isEqualTo("idle");
                assertThat(row.get("link")).isEmpty();
            });
        }
    }

    @Test
    void configShowsEffectiveSettingsButNoSecretAndPluginsListsTheChain() throws SQLException {
        try (Connection console = console(proxy)) {
            List<Map<String, String>> config = show(console, "SHOW CONFIG");
            assertThat(columns(config)).containsExactly("key", "value", "default", "changeable");
            Map<String, Map<String, String>> byKey = new HashMap<>();
            rows(config).forEach(row -> byKey.put(row.get("key"), row));
            assertThat(byKey.get("pool.mode")).containsEntry("value", "transaction").containsEntry("default", "session")
                    .containsEntry("changeable", "yes");
            assertThat(byKey.get("pool.size")).containsEntry("value", "4").containsEntry("default", "20");
            assertThat(byKey.get("listen.port")).containsEntry("changeable", "no");
            assertThat(byKey.get("auth.rules[1].login.password")).containsEntry("value", "(secret)");
            assertThat(config.toString()).doesNotContain(APP_PASSWORD);

            List<Map<String, String>> plugins = show(console, "SHOW PLUGINS");
            assertThat(columns(plugins)).containsExactly("order", "type", "version", "spi", "hooks", "auth_methods", "origin");
            assertThat(rows(plugins)).as("the chain of this config is empty").isEmpty();
        }
    }

    /** The audit plugin's jar in a plugins folder of its own. */
    private static final class AuditPlugin extends PluginInstallation {
        AuditPlugin() {
            super("pgwarden.plugin.audit", "audit");
        }
    }

    @Test
    void pluginsShowTheChainWithVersionSpiAndHooksAndConfigHidesTheirSecrets() throws Exception {
        String key = "audit-key-0c41d2e8f7a9b35561a0-9f3e7d21";
        try (AuditPlugin plugin = new AuditPlugin()) {
            ProxyFixture audited = plugin.startProxy("""
                    backends:
                      primary: { host: 127.0.0.1, port: %d, tls: { mode: disable } }
                    auth:
                      rules:
                        - { database: pgwarden, method: trust }
                    admin:
                      console: { users: [ ops ] }
                    plugins:
                      - type: audit
                        checkpoint_key: "%s"
                        file: { path: "%s" }
                    """.formatted(postgres.port(), plugin.secretReference("audit.key", key),
                    plugin.directory().resolve("audit.jsonl")));
            try (Connection console = console(audited)) {
                Map<String, String> row = rows(show(console, "SHOW PLUGINS")).stream().filter(r -> "audit".equals(r.get("type")))
                        .findFirst().orElseThrow();
                Attributes manifest;
                try (JarFile jar = new JarFile(PluginInstallation.pluginJar("pgwarden.plugin.audit", "audit").toFile())) {
                    manifest = jar.getManifest().getMainAttributes();
                }
                assertThat(row).containsEntry("order", "1").containsEntry("spi", manifest.getValue("Plugin-Requires"))
                        .containsEntry("version", manifest.getValue("Plugin-Version"));
                assertThat(row.get("spi")).matches("[0-9]+\\.[0-9]+");
                assertThat(row.get("version")).isNotEmpty();
                assertThat(row.get("hooks")).contains("onSessionEnd");
                assertThat(row.get("origin")).endsWith("pgwarden-audit.jar");

                List<Map<String, String>> config = show(console, "SHOW CONFIG");
                assertThat(rows(config)).anySatisfy(setting -> {
                    assertThat(setting.get("key")).isEqualTo("plugins[0].checkpoint_key");
                    assertThat(setting.get("value")).isEqualTo("(secret)");
                    assertThat(setting.get("changeable")).isEqualTo("yes");
                });
                assertThat(rows(config)).anySatisfy(setting -> assertThat(setting).containsEntry("key", "plugins[0].type")
                        .containsEntry("value", "audit"));
                assertThat(config.toString()).doesNotContain(key);
            }
        }
    }

    @Test
    void pauseWaitsForTheOpenTransactionAndResumeLetsWaitingQueriesGoOn() throws Exception {
        try (BackgroundTasks tasks = new BackgroundTasks(); Connection inTransaction = client("second");
             Connection waiting = client("second"); Connection admin = console(proxy); Connection watcher = console(proxy)) {
            inTransaction.setAutoCommit(false);
            queryLong(inTransaction, "SELECT 1");

            Future<?> pause = tasks.submit(() -> {
                execute(admin, "PAUSE second");
                return null;
            });
            Await.until("the pause began", LIMIT, () -> log.lines().stream().anyMatch(line -> line.contains(
                    "paused database \"second\"")));
            assertThat(pause.isDone()).as("PAUSE waits for the open transaction").isFalse();
            inTransaction.commit();
            pause.get(LIMIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(poolOf(watcher, "second")).containsEntry("sv_active", "0");
            Await.until("the paused database's idle servers are closed", LIMIT,
                    sql(() -> "0".equals(poolOf(watcher, "second").get("sv_idle"))));

            Future<Long> query = tasks.submit(() -> queryLong(waiting, "SELECT 42"));
            Await.until("the query waits for RESUME", LIMIT, sql(() -> "1".equals(poolOf(watcher, "second").get("cl_waiting"))));
            assertThat(query.isDone()).isFalse();
            try (Connection other = client("postgres")) {
                assertThat(queryLong(other, "SELECT 7")).as("another database is not paused").isEqualTo(7);
            }

            execute(admin, "RESUME second");
            assertThat(query.get(LIMIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(42);
            SQLException again = catchThrowableOfType(SQLException.class, () -> execute(admin, "RESUME second"));
            assertThat(again.getSQLState()).isEqualTo("55000");
        }
    }

    @Test
    void killEndsTheClientsOfOneDatabaseAndLeavesItUsable() throws Exception {
        try (Connection victim = client("second"); Connection bystander = client("postgres"); Connection admin = console(proxy)) {
            victim.setAutoCommit(false);
            long pid = queryLong(victim, "SELECT pg_backend_pid()");
            queryLong(bystander, "SELECT 1");

            execute(admin, "KILL second");

            SQLException killed = catchThrowableOfType(SQLException.class, () -> queryLong(victim, "SELECT 1"));
            assertThat(killed.getSQLState()).isIn("57P01", "08006", "08003");
            assertThat(log.lines()).anyMatch(line -> line.contains("57P01 terminating connection due to administrator command"));
            assertThat(queryLong(bystander, "SELECT 2")).isEqualTo(2);
            try (Connection superuser = postgres.superuserConnection()) {
                Await.until("the killed session's server connection is closed", LIMIT,
                        sql(() -> queryLong(superuser, "SELECT count(*) FROM pg_stat_activity WHERE pid = " + pid) == 0));
            }
            try (Connection fresh = client("second")) {
                assertThat(queryLong(fresh, "SELECT 3")).isEqualTo(3);
            }
        }
    }

    @Test
    void badCommandsAndUnknownDatabasesGetErrorsAndTheConsoleGoesOn() throws SQLException {
        try (Connection admin = console(proxy)) {
            for (String command : List.of("SHOW DATABASES", "SELECT 1", "KILL", "PAUSE a b", "SHOW POOLS now")) {
                SQLException error = catchThrowableOfType(SQLException.class, () -> execute(admin, command));
                assertThat(error.getSQLState()).as(command).isEqualTo("42601");
            }
            SQLException unknown = catchThrowableOfType(SQLException.class, () -> execute(admin, "SHOW DATABASES"));
            assertThat(unknown.getMessage()).contains("SHOW SERVERS", "PAUSE [db]", "KILL db", "SHUTDOWN");
            for (String command : List.of("KILL nosuchdb", "PAUSE nosuchdb", "RESUME nosuchdb")) {
                SQLException error = catchThrowableOfType(SQLException.class, () -> execute(admin, command));
                assertThat(error.getSQLState()).as(command).isEqualTo("3D000");
            }
            SQLException notPaused = catchThrowableOfType(SQLException.class, () -> execute(admin, "RESUME"));
            assertThat(notPaused.getSQLState()).isEqualTo("55000");
            assertThat(rows(show(admin, "SHOW VERSION"))).hasSize(1);
        }
    }

    @Test
    void psqlRunsTheCommands(@TempDir Path work) throws Exception {
        Assumptions.assumeTrue(Psql.installed(), "psql not installed: test skipped");
        try (Connection app = client("postgres")) {
            queryLong(app, "SELECT 1");
        }
        List<String> arguments = new ArrayList<>(List.of("-h", "127.0.0.1", "-p", Integer.toString(proxy.port()), "-U", "ops", "-d",
                "pgwarden", "-A", "-t", "-v", "ON_ERROR_STOP=1"));
        arguments.addAll(List.of("-c", "SHOW STATS", "-c", "SHOW SERVERS", "-c", "PAUSE postgres", "-c", "RESUME postgres",
                "-c", "SHOW CONFIG"));
        Psql.Result run = Psql.run(work, arguments, Map.of("PGSSLMODE", "disable"));
        assertThat(run.exitCode()).as(run.stderr()).isZero();
        assertThat(run.stdout()).contains("postgres|").contains("|app|postgres|idle|127.0.0.1|" + postgres.port() + "|")
                .contains("pool.mode|transaction|session|yes").doesNotContain(APP_PASSWORD);

        List<String> bad = new ArrayList<>(arguments.subList(0, 12));
        bad.addAll(List.of("-c", "SHOW NOTHING"));
        Psql.Result refused = Psql.run(work, bad, Map.of("PGSSLMODE", "disable"));
        assertThat(refused.exitCode()).isNotZero();
        assertThat(refused.stderr()).contains("unsupported admin console command");
    }

    @Test
    void shutdownStopsTheProxy() throws Exception {
        try (ProxyFixture doomed = ProxyFixture.fromYaml(yaml(), configDirectory)) {
            int port = doomed.port();
            try (Connection admin = console(doomed)) {
                execute(admin, "SHUTDOWN");
            }
            doomed.server().stopped().toCompletableFuture().get(LIMIT.toSeconds(), TimeUnit.SECONDS);
            Await.until("the port is closed", LIMIT, () -> !accepts(port));
        }
    }

    /** A check that reads the database, for {@link Await#until}. */
    private interface SqlCheck {
        boolean test() throws SQLException;
    }

    private static BooleanSupplier sql(SqlCheck check) {
        return () -> {
            try {
                return check.test();
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        };
    }

    private static boolean accepts(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
