package io.pgwarden.it.clients;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgwarden.testkit.EmbeddedPostgres;
import io.pgwarden.testkit.LeakCheckExtension;
import io.pgwarden.testkit.Psql;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The psql command-line client through the proxy, with its default sslmode (prefer), when it is installed. */
@ExtendWith(LeakCheckExtension.class)
class PsqlThroughProxyIT {

    private static ProxiedPostgres pg;

    @TempDir
    Path work;

    @BeforeAll
    static void start() {
        pg = ProxiedPostgres.start(EmbeddedPostgres.builder(), ProxiedPostgres.PASSTHROUGH_FOR_ALL);
    }

    @AfterAll
    static void stop() {
        if (pg != null) {
            pg.close();
        }
    }

    @BeforeEach
    void requirePsql() {
        Assumptions.assumeTrue(Psql.installed(), "psql not installed: test skipped");
    }

    @Test
    void multiStatementScriptRunsAndPrintsItsResult() throws Exception {
        Path script = Files.writeString(work.resolve("script.sql"), """
                CREATE TABLE psql_items (id int PRIMARY KEY, name text NOT NULL);
                INSERT INTO psql_items SELECT g, 'item ' || g FROM generate_series(1, 50) g;
                BEGIN;
                UPDATE psql_items SET name = upper(name) WHERE id <= 10;
                COMMIT;
                SELECT count(*), sum(id), count(*) FILTER (WHERE name LIKE 'ITEM%') FROM psql_items;
                """);
        Psql.Result run = psql("-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-f", script.toString());
        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.stdout().strip()).isEqualTo("50|1275|10");
        assertThat(run.stderr()).isEmpty();
    }

    @Test
    void backslashCopyWritesTheQueryResultToAFile() throws Exception {
        Path out = work.resolve("out.csv");
        Psql.Result run = psql("-q", "-v", "ON_ERROR_STOP=1", "-c",
                "\\copy (SELECT g, 'value ' || g, g % 2 = 0 FROM generate_series(1, 5000) g ORDER BY g) TO '"
                        + out + "' WITH (FORMAT csv)");
        assertThat(run.exitCode()).as(run.toString()).isZero();
        StringBuilder expected = new StringBuilder();
        for (int i = 1; i <= 5000; i++) {
            expected.append(i).append(",value ").append(i).append(',').append(i % 2 == 0 ? 't' : 'f').append('\n');
        }
        assertThat(Files.readString(out)).isEqualTo(expected.toString());
    }

    @Test
    void backslashCopyLoadsAFileIntoATable() throws Exception {
        pg.postgres().execute("postgres", "CREATE TABLE psql_loaded (id int PRIMARY KEY, label text)");
        List<String> lines = new ArrayList<>();
        for (int i = 1; i <= 5000; i++) {
            lines.add(i + ",\"label, " + i + "\"");
        }
        Path in = Files.write(work.resolve("in.csv"), lines, StandardCharsets.UTF_8);
        Psql.Result run = psql("-q", "-v", "ON_ERROR_STOP=1", "-c",
                "\\copy psql_loaded FROM '" + in + "' WITH (FORMAT csv)");
        assertThat(run.exitCode()).as(run.toString()).isZero();
        try (Connection direct = pg.direct("")) {
            assertThat(Rows.scalar(direct, "SELECT string_agg(id || ',\"' || label || '\"', E'\\n' ORDER BY id) "
                    + "FROM psql_loaded")).isEqualTo(String.join("\n", lines));
        }
    }

    @Test
    void errorWithOnErrorStopEndsTheScriptWithExitCode3() throws Exception {
        Path script = Files.writeString(work.resolve("failing.sql"), """
                SELECT 'before the error';
                SELECT 1 / 0;
                SELECT 'after the error';
                """);
        Psql.Result run = psql("-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-f", script.toString());
        assertThat(run.exitCode()).as(run.toString()).isEqualTo(3);
        assertThat(run.stderr()).contains("ERROR:  division by zero");
        assertThat(run.stdout()).contains("before the error").doesNotContain("after the error");
    }

    @Test
    void interruptingPsqlCancelsTheRunningQueryThroughTheProxy() throws Exception {
        Psql.Result run = Psql.run(work, List.of("-h", "127.0.0.1", "-p", Integer.toString(pg.proxy().port()),
                "-U", EmbeddedPostgres.SUPERUSER, "-d", "postgres", "-c", "SELECT pg_sleep(30)"),
                Map.of("PGAPPNAME", "psql-cancel-probe"), process -> {
                    awaitSleeping("psql-cancel-probe");
                    // psql answers SIGINT with a CancelRequest on a new connection to the proxy.
                    Process kill = new ProcessBuilder("kill", "-INT", Long.toString(process.pid())).start();
                    if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                        kill.destroyForcibly();
                        throw new AssertionError("kill -INT failed");
                    }
                });
        assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
        assertThat(run.stderr()).contains("canceling statement due to user request");
    }

    private static void awaitSleeping(String applicationName) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        try (Connection direct = pg.direct("")) {
            while (System.nanoTime() < deadline) {
                String active = Rows.scalar(direct, "SELECT count(*) FROM pg_stat_activity WHERE application_name = '"
                        + applicationName + "' AND state = 'active' AND query LIKE 'SELECT pg_sleep%'");
                if (active.equals("1")) {
                    return;
                }
                Thread.sleep(50);
            }
        } catch (java.sql.SQLException e) {
            throw new AssertionError("could not watch pg_stat_activity", e);
        }
        throw new AssertionError("psql's query never became active");
    }

    private Psql.Result psql(String... arguments) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("-h", "127.0.0.1", "-p", Integer.toString(pg.proxy().port()),
                "-U", EmbeddedPostgres.SUPERUSER, "-d", "postgres"));
        command.addAll(List.of(arguments));
        return Psql.run(work, command, Map.of());
    }
}
