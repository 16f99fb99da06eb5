package io.pgwarden.it.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.pgwarden.testkit.Closeables;
import io.pgwarden.testkit.EmbeddedPostgres;
import io.pgwarden.testkit.LeakCheckExtension;
import io.pgwarden.testkit.LogCapture;
import io.pgwarden.testkit.PasswordEncryption;
import io.pgwarden.testkit.ProxyFixture;
import io.pgwarden.testkit.Psql;
import io.pgwarden.testkit.RawMessage;
import io.pgwarden.testkit.RawPgClient;
import java.nio.charset.StandardCharsets;
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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The admin console of a real proxy in front of a real PostgreSQL, read through pgjdbc: an admin
 * reads SHOW VERSION, POOLS and CLIENTS with PgBouncer's columns and values that follow real
 * traffic, a non-admin is refused, unknown commands get an error and the session goes on, and
 * the console never opens a server connection.
 */
@ExtendWith(LeakCheckExtension.class)
class AdminConsoleIT {

    private static final String APP_PASSWORD = "app-secret-5821";

    private static EmbeddedPostgres postgres;
    private static ProxyFixture proxy;
    private static LogCapture log;

    @BeforeAll
    static void start() {
        log = LogCapture.start();
        postgres = EmbeddedPostgres.builder()
                .role("app", APP_PASSWORD, PasswordEncryption.SCRAM_SHA_256)
                .role("ops", "ops-unused-7731", PasswordEncryption.SCRAM_SHA_256)
                .hba("host all app 127.0.0.1/32 scram-sha-256")
                .hba("host all ops 127.0.0.1/32 scram-sha-256")
                .start();
        proxy = ProxyFixture.fromYaml("""
                listen: { host: 127.0.0.1, port: 0 }
                backends:
                  primary: { host: 127.0.0.1, port: %d, tls: { mode: disable } }
                auth:
                  rules:
                    - { database: pgwarden, method: trust }
                    - { database: postgres, method: passthrough }
                admin:
                  console:
                    users: [ ops ]
                """.formatted(postgres.port()));
    }

    @AfterAll
    static void stop() throws Exception {
        Closeables.closeAll(proxy, postgres, () -> log.assertNoneOf(List.of(APP_PASSWORD)), log);
    }

    private static Connection console(String user) throws SQLException {
        // assumeMinServerVersion keeps pgjdbc from sending SET commands after login, which the console does not take.
        return DriverManager.getConnection(proxy.jdbcUrl("pgwarden", user) + "&sslmode=disable&preferQueryMode=simple"
                + "&assumeMinServerVersion=9.0");
    }

    private static Connection app() throws SQLException {
        return DriverManager.getConnection(proxy.jdbcUrl("postgres", "app") + "&sslmode=disable&assumeMinServerVersion=9.0"
                + "&ApplicationName=nightly-report", "app", APP_PASSWORD);
    }

    private static List<Map<String, String>> show(Connection connection, String command, List<String> expectedColumns) throws SQLException {
        try (Statement statement = connection.createStatement(); ResultSet rs = statement.executeQuery(command)) {
            ResultSetMetaData meta = rs.getMetaData();
            List<String> columns = new ArrayList<>();
            for (int i = 1; i <= meta.getColumnCount(); i++) {
                columns.add(meta.getColumnName(i));
            }
            assertThat(columns).as(command).startsWith(expectedColumns.toArray(String[]::new));
            List<Map<String, String>> rows = new ArrayList<>();
            while (rs.next()) {
                Map<String, String> row = new HashMap<>();
                for (String column : columns) {
                    row.put(column, rs.getString(column));
                }
                rows.add(row);
            }
            return rows;
        }
    }

    private static long serverConnectionsOf(String user) throws SQLException {
        try (Connection superuser = postgres.superuserConnection(); Statement statement = superuser.createStatement();
             ResultSet rs = statement.executeQuery("SELECT count(*) FROM pg_stat_activity WHERE usename = '" + user + "'")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void adminReadsVersionPoolsAndClientsOfRealTraffic() throws SQLException {
        try (Connection app = app(); Connection console = console("ops")) {
            try (Statement statement = app.createStatement(); ResultSet rs = statement.executeQuery("SELECT 1")) {
                assertThat(rs.next()).isTrue();
            }
            List<Map<String, String>> version = show(console, "SHOW VERSION", List.of("version"));
            assertThat(version).singleElement().satisfies(row -> assertThat(row.get("version")).startsWith("pgwarden "));

            List<Map<String, String>> pools = show(console, "show pools;", List.of("database", "user", "cl_active", "cl_waiting",
                    "sv_active", "sv_idle", "sv_used", "sv_tested", "sv_login", "maxwait", "maxwait_us", "pool_mode"));
            assertThat(pools).noneMatch(row -> "pgwarden".equals(row.get("database")));
            Map<String, String> appPool = pools.stream().filter(row -> "app".equals(row.get("user"))).findFirst().orElseThrow();
            assertThat(appPool.get("database")).isEqualTo("postgres");
            assertThat(appPool.get("cl_active")).isEqualTo("1");
            assertThat(appPool.get("cl_waiting")).isEqualTo("0");
            assertThat(Integer.parseInt(appPool.get("sv_active")) + Integer.parseInt(appPool.get("sv_idle"))).isEqualTo(1);
            assertThat(appPool.get("pool_mode")).isIn("session", "transaction");

            List<Map<String, String>> clients = show(console, "  Show Clients ", List.of("type", "user", "database", "state", "addr",
                    "port", "local_addr", "local_port", "tls", "application_name"));
            assertThat(clients).anySatisfy(row -> {
                assertThat(row.get("user")).isEqualTo("app");
                assertThat(row.get("database")).isEqualTo("postgres");
                assertThat(row.get("state")).isEqualTo("active");
                assertThat(row.get("addr")).isEqualTo("127.0.0.1");
                assertThat(row.get("local_port")).isEqualTo(Integer.toString(proxy.port()));
                assertThat(row.get("application_name")).isEqualTo("nightly-report");
            });
            assertThat(clients).anySatisfy(row -> {
                assertThat(row.get("user")).isEqualTo("ops");
                assertThat(row.get("database")).isEqualTo("pgwarden");
            });
        }
        try (Connection console = console("ops")) {
            assertThat(show(console, "SHOW CLIENTS", List.of("type"))).noneMatch(row -> "app".equals(row.get("user")));
        }
    }

    @Test
    void consoleSessionsOpenNoServerConnection() throws SQLException {
        try (Connection console = console("ops")) {
            show(console, "SHOW POOLS", List.of("database"));
            assertThat(serverConnectionsOf("ops")).isZero();
            assertThat(proxy.server().pools()).noneMatch(pool -> "ops".equals(pool.user()));
        }
    }

    @Test
    void psqlReadsTheConsole(@TempDir Path work) throws Exception {
        Assumptions.assumeTrue(Psql.installed(), "psql not installed: test skipped");
        List<String> connect = List.of("-h", "127.0.0.1", "-p", Integer.toString(proxy.port()), "-U", "ops", "-d", "pgwarden",
                "-A", "-t", "-v", "ON_ERROR_STOP=1");
        List<String> show = new ArrayList<>(connect);
        show.addAll(List.of("-c", "SHOW VERSION", "-c", "SHOW CLIENTS"));
        Psql.Result run = Psql.run(work, show, Map.of("PGSSLMODE", "disable", "PGAPPNAME", "psql-console"));
        assertThat(run.exitCode()).as(run.stderr()).isZero();
        assertThat(run.stdout()).startsWith("pgwarden ").contains("|ops|pgwarden|active|127.0.0.1|").contains("|psql-console|pgwarden");

        List<String> unknown = new ArrayList<>(connect);
        unknown.addAll(List.of("-c", "SHOW NOTHING"));
        Psql.Result refused = Psql.run(work, unknown, Map.of("PGSSLMODE", "disable"));
        assertThat(refused.exitCode()).isNotZero();
        assertThat(refused.stderr()).contains("unsupported admin console command").contains("SHOW VERSION, SHOW POOLS, SHOW CLIENTS");
    }

    @Test
    void malformedMessagesEndTheSessionAndFlushesAreIgnored() throws Exception {
        try (RawPgClient client = RawPgClient.connect("127.0.0.1", proxy.port())) {
            client.sendStartup(Map.of("user", "ops", "database", "pgwarden"));
            assertThat(client.readUntilReadyForQuery()).last().extracting(RawMessage::transactionStatus).isEqualTo('I');
            client.sendMessage('H', new byte[0]);
            client.sendQuery("show version");
            List<RawMessage> answer = client.readUntilReadyForQuery();
            assertThat(answer).extracting(RawMessage::type).containsExactly('T', 'D', 'C', 'Z');
            // A Query whose text lacks its terminating zero byte.
            client.sendMessage('Q', "SHOW POOLS".getBytes(StandardCharsets.UTF_8));
            RawMessage error = client.readMessage();
            assertThat(error.type()).isEqualTo('E');
            assertThat(error.sqlState()).isEqualTo("08P01");
            assertThat(client.isClosedByPeer(Duration.ofSeconds(5))).isTrue();
        }
    }

    @Test
    void withoutConsoleUsersDatabasePgwardenGoesToTheBackend() throws Exception {
        try (ProxyFixture plain = ProxyFixture.fromYaml("""
                listen: { host: 127.0.0.1, port: 0 }
                backends:
                  primary: { host: 127.0.0.1, port: %d, tls: { mode: disable } }
                auth:
                  rules:
                    - { method: passthrough }
                """.formatted(postgres.port()))) {
            SQLException missing = catchThrowableOfType(SQLException.class, () -> DriverManager.getConnection(
                    plain.jdbcUrl("pgwarden", "app") + "&sslmode=disable", "app", APP_PASSWORD).close());
            assertThat(missing.getSQLState()).isEqualTo("3D000");
            assertThat(missing.getMessage()).contains("database \"pgwarden\" does not exist");
        }
    }

    @Test
    void nonAdminIsRefused() {
        SQLException refused = catchThrowableOfType(SQLException.class, () -> console("app").close());
        assertThat(refused.getSQLState()).isEqualTo("28000");
        assertThat(refused.getMessage()).contains("may not use the pgwarden admin console");
    }

    @Test
    void unsupportedCommandsGetAnErrorAndTheSessionGoesOn() throws SQLException {
        try (Connection console = console("ops")) {
            for (String command : List.of("SELECT 1", "RELOAD NOW", "SHOW NOTHING", "SHUTDOWN NOW")) {
                SQLException error = catchThrowableOfType(SQLException.class, () -> show(console, command, List.of()));
                assertThat(error.getSQLState()).as(command).isEqualTo("42601");
            }
            assertThat(show(console, "SHOW VERSION", List.of("version"))).hasSize(1);
        }
        try (Connection extended = DriverManager.getConnection(proxy.jdbcUrl("pgwarden", "ops") + "&sslmode=disable"
                + "&preferQueryMode=extended&assumeMinServerVersion=9.0")) {
            SQLException error = catchThrowableOfType(SQLException.class, () -> show(extended, "SHOW VERSION", List.of()));
            assertThat(error.getSQLState()).isEqualTo("0A000");
            assertThat(extended.isClosed()).isFalse();
        }
    }
}
