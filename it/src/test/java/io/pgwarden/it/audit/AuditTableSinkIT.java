package io.pgwarden.it.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgwarden.core.cli.PgwardenCli;
import io.pgwarden.testkit.Await;
import io.pgwarden.testkit.EmbeddedPostgres;
import io.pgwarden.testkit.PluginInstallation;
import io.pgwarden.testkit.ProxyFixture;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The audit plugin's table sink with two real PostgreSQL servers: one serves the clients, the other holds the audit
 * table as a second backend of the proxy that no client uses. pgjdbc clients run statements from several threads
 * while the audit server is stopped and started again on the same port with its data; every statement lands in the
 * table exactly once and in order, through the spool, and {@code pgwarden audit verify --table} finds the stream
 * intact, and names a row that was edited, deleted or moved.
 */
class AuditTableSinkIT {

    private static final String KEY = "audit-table-it-checkpoint-key-0123456789";
    private static final String TABLE = "pgwarden_audit.events";
    private static final int THREADS = 3;
    private static final int PER_THREAD = 120;
    private static final Pattern MARK = Pattern.compile("AS t([0-9]+)_i([0-9]+)");

    private static EmbeddedPostgres postgres;
    private static EmbeddedPostgres auditDb;
    private static AuditPlugin plugin;

    /** The audit plugin's jar in a plugins folder of its own. */
    private static final class AuditPlugin extends PluginInstallation {
        AuditPlugin() {
            super("pgwarden.plugin.audit", "audit");
        }
    }

    @BeforeAll
    static void start() {
        postgres = EmbeddedPostgres.start();
        auditDb = EmbeddedPostgres.start();
        plugin = new AuditPlugin();
    }

    @AfterAll
    static void stop() {
        if (plugin != null) {
            plugin.close();
        }
        if (auditDb != null) {
            auditDb.close();
        }
        if (postgres != null) {
            postgres.close();
        }
    }

    private static ProxyFixture proxy(Path spool) {
        return proxy(spool, "it");
    }

    private static ProxyFixture proxy(Path spool, String stream) {
        return plugin.startProxy("""
                backends:
                  pg: { host: 127.0.0.1, port: %d, tls: { mode: disable } }
                  audit: { host: 127.0.0.1, port: %d, tls: { mode: disable } }
                auth:
                  rules:
                    - { method: passthrough }
                plugins:
                  - type: audit
                    checkpoint_key: "%s"
                    checkpoint_records: 25
                    raw_text: true
                    table:
                      backend: audit
                      database: postgres
                      user: %s
                      table: %s
                      stream: %s
                      batch_size: 40
                      flush_interval: 100ms
                      spool: { directory: "%s", max_size: 64MiB }
                """.formatted(postgres.port(), auditDb.port(), plugin.secretReference("audit.key", KEY), EmbeddedPostgres.SUPERUSER,
                TABLE, stream, spool));
    }

    private static int cli(StringWriter out, StringWriter err, String... args) {
        CommandLine cli = PgwardenCli.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    private static int verify(String stream, StringWriter out, StringWriter err) {
        return cli(out, err, "audit", "verify", "--table", TABLE, "--stream", stream,
                "--url", "postgresql://" + EmbeddedPostgres.SUPERUSER + "@127.0.0.1:" + auditDb.port() + "/postgres",
                "--key-file", plugin.directory().resolve("audit.key").toString());
    }

    private static long count(String sql) throws SQLException {
        try (Connection connection = auditDb.superuserConnection();
             Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery(sql)) {
            rows.next();
            return rows.getLong(1);
        }
    }

    private static long countOrMinusOne(String sql) {
        try {
            return count(sql);
        } catch (SQLException e) {
            return -1;
        }
    }

    private static long spoolFiles(Path spool) {
        if (!Files.isDirectory(spool)) {
            return 0;
        }
        try (Stream<Path> files = Files.list(spool)) {
            return files.count();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void everyStatementReachesTheTableOnceAndInOrderAcrossAnAuditDatabaseOutage() throws Exception {
        Path spool = plugin.directory().resolve("audit-spool");
        ProxyFixture proxy = proxy(spool);
        int total = THREADS * PER_THREAD;
        AtomicInteger done = new AtomicInteger();
        ExecutorService clients = Executors.newFixedThreadPool(THREADS);
        try {
            String url = proxy.jdbcUrl("postgres", EmbeddedPostgres.SUPERUSER) + "&sslmode=disable&preferQueryMode=simple";
            List<Future<?>> load = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                int thread = t;
                load.add(clients.submit(() -> {
                    try (Connection connection = DriverManager.getConnection(url); Statement statement = connection.createStatement()) {
                        for (int i = 0; i < PER_THREAD; i++) {
                            statement.execute("SELECT E'tab\\there\\nnew line \\\\ back \"quote\" zoë 東京' AS t" + thread + "_i" + i);
                            done.incrementAndGet();
                        }
                    }
                    return null;
                }));
            }
            Await.until("a third of the load ran", Duration.ofSeconds(60), () -> done.get() >= total / 3);
            auditDb.stopServer();
            Await.until("the table sink spools", Duration.ofSeconds(30), () -> spoolFiles(spool) > 0);
            int atStop = done.get();
            Await.until("more load ran while the audit database was down", Duration.ofSeconds(60),
                    () -> done.get() >= Math.min(total, atStop + total / 3));
            auditDb.restartServer();
            for (Future<?> client : load) {
                client.get(120, TimeUnit.SECONDS);
            }
            Await.until("every statement reached the table", Duration.ofSeconds(60), () -> countOrMinusOne(
                    "SELECT count(*) FROM " + TABLE + " WHERE stream = 'it' AND type = 'statement' AND record LIKE '%AS t%\\_i%'") >= total);
            Await.until("the spool is replayed and gone", Duration.ofSeconds(30), () -> spoolFiles(spool) == 0);
        } finally {
            clients.shutdownNow();
            plugin.stop(proxy);
        }

        Map<String, Integer> seen = new HashMap<>();
        int[] lastIndex = new int[THREADS];
        Arrays.fill(lastIndex, -1);
        long expectedSeq = 0;
        try (Connection connection = auditDb.superuserConnection();
             Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SELECT seq, type, record FROM " + TABLE + " WHERE stream = 'it' ORDER BY seq")) {
            while (rows.next()) {
                assertThat(rows.getLong(1)).as("seq is contiguous").isEqualTo(expectedSeq);
                String record = rows.getString(3);
                assertThat(record).startsWith("{\"seq\":" + expectedSeq + ",\"prev\":\"").contains("\"type\":\"" + rows.getString(2) + "\"");
                expectedSeq++;
                Matcher mark = MARK.matcher(record);
                if (rows.getString(2).equals("statement") && mark.find()) {
                    assertThat(record).contains("zoë 東京", "\\\\t", "\\\\\\\\ back", "\\\"quote\\\"");
                    int thread = Integer.parseInt(mark.group(1));
                    int index = Integer.parseInt(mark.group(2));
                    assertThat(index).as("statements of one client in their order").isGreaterThan(lastIndex[thread]);
                    lastIndex[thread] = index;
                    seen.merge(mark.group(), 1, Integer::sum);
                }
            }
        }
        assertThat(seen).hasSize(total).allSatisfy((mark, times) -> assertThat(times).as(mark).isEqualTo(1));
        assertThat(count("SELECT count(*) FROM " + TABLE + " WHERE stream = 'it' AND type = 'header'")).isEqualTo(1);

        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        assertThat(verify("it", out, err)).as(err.toString()).isZero();
        assertThat(out.toString()).contains(TABLE + " stream it: intact", "MACs verified", "closed       yes");

        tamperedCopiesAreReported();
    }

    private static void tamperedCopiesAreReported() throws Exception {
        auditDb.execute("postgres",
                "INSERT INTO " + TABLE + " SELECT 'edited', seq, time, type, record FROM " + TABLE + " WHERE stream = 'it'",
                "UPDATE " + TABLE + " SET record = replace(record, 'AS t', 'AS x') WHERE stream = 'edited' AND seq = "
                        + "(SELECT min(seq) FROM " + TABLE + " WHERE stream = 'edited' AND record LIKE '%AS t%' AND seq > 5)",
                "INSERT INTO " + TABLE + " SELECT 'deleted', seq, time, type, record FROM " + TABLE + " WHERE stream = 'it'",
                "DELETE FROM " + TABLE + " WHERE stream = 'deleted' AND seq = 7",
                "INSERT INTO " + TABLE + " SELECT 'swapped', seq, time, type, record FROM " + TABLE + " WHERE stream = 'it'",
                "UPDATE " + TABLE + " SET seq = -1 WHERE stream = 'swapped' AND seq = 9",
                "UPDATE " + TABLE + " SET seq = 9 WHERE stream = 'swapped' AND seq = 10",
                "UPDATE " + TABLE + " SET seq = 10 WHERE stream = 'swapped' AND seq = -1");
        long edited = count("SELECT seq FROM " + TABLE + " WHERE stream = 'edited' AND record LIKE '%AS x%'");

        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        assertThat(verify("edited", out, err)).isEqualTo(1);
        assertThat(err.toString()).contains(TABLE + " stream edited: BROKEN at seq " + (edited + 1) + ": prev does not match the hash of seq "
                + edited + ": seq " + edited + " was edited");

        err = new StringWriter();
        assertThat(verify("deleted", out, err)).isEqualTo(1);
        assertThat(err.toString()).contains("BROKEN at seq 7: seq jumps from 6 to 8: a record was deleted");

        err = new StringWriter();
        assertThat(verify("swapped", out, err)).isEqualTo(1);
        assertThat(err.toString()).contains("BROKEN at seq 9: record seq 10 comes before seq 9: records were reordered");

        err = new StringWriter();
        assertThat(verify("nobody", out, err)).isEqualTo(1);
        assertThat(err.toString()).contains("BROKEN at seq 0: the stream has no records");
    }

    private static void run(ProxyFixture proxy, String... statements) throws SQLException {
        String url = proxy.jdbcUrl("postgres", EmbeddedPostgres.SUPERUSER) + "&sslmode=disable&preferQueryMode=simple";
        try (Connection connection = DriverManager.getConnection(url); Statement statement = connection.createStatement()) {
            for (String sql : statements) {
                statement.execute(sql);
            }
        }
    }

    @Test
    void theSpoolSurvivesARestartOfPgwardenAndTheStreamContinuesAfterIt() throws Exception {
        Path spool = plugin.directory().resolve("restart-spool");
        String marks = "record LIKE '%AS r\\_%'";
        ProxyFixture first = proxy(spool, "restart");
        try {
            run(first, "SELECT 1 AS r_a", "SELECT 2 AS r_b");
            Await.until("the first statements are in the table", Duration.ofSeconds(30),
                    () -> countOrMinusOne("SELECT count(*) FROM " + TABLE + " WHERE stream = 'restart' AND " + marks) == 2);
            auditDb.stopServer();
            run(first, "SELECT 3 AS r_c", "SELECT 4 AS r_d");
            Await.until("the sink spools", Duration.ofSeconds(30), () -> spoolFiles(spool) > 0);
        } finally {
            plugin.stop(first);
        }
        assertThat(spoolFiles(spool)).as("the spool is left for the next start").isPositive();

        auditDb.restartServer();
        ProxyFixture second = proxy(spool, "restart");
        try {
            run(second, "SELECT 5 AS r_e");
            Await.until("the spool and the new statement are in the table", Duration.ofSeconds(30),
                    () -> countOrMinusOne("SELECT count(*) FROM " + TABLE + " WHERE stream = 'restart' AND " + marks) == 5);
            Await.until("the spool is replayed and gone", Duration.ofSeconds(30), () -> spoolFiles(spool) == 0);
        } finally {
            plugin.stop(second);
        }

        List<String> order = new ArrayList<>();
        try (Connection connection = auditDb.superuserConnection();
             Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SELECT type, record FROM " + TABLE + " WHERE stream = 'restart' ORDER BY seq")) {
            while (rows.next()) {
                Matcher mark = Pattern.compile("AS (r_[a-e])").matcher(rows.getString(2));
                if (rows.getString(1).equals("header")) {
                    order.add(rows.getString(2).contains("\"previous_seq\":null") ? "first header" : "header");
                } else if (mark.find()) {
                    order.add(mark.group(1));
                }
            }
        }
        assertThat(order).containsExactly("first header", "r_a", "r_b", "r_c", "r_d", "header", "r_e");
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        assertThat(verify("restart", out, err)).as(err.toString()).isZero();
        assertThat(out.toString()).contains(TABLE + " stream restart: intact", "closed       yes");
    }
}
