package io.pgwarden.core.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgwarden.core.demo.PgwardenDemo;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.minidev.json.JSONObject;
import net.minidev.json.parser.JSONParser;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code pgwarden serve --log-format json} in its own JVM, in front of a real PostgreSQL, with pgjdbc clients:
 * standard error holds only JSON objects, one per line; a session's lines carry its id as a field; and the lines
 * logged while stopping (the last one included) are written before the JVM ends, even when standard error is slow
 * (logback-slow-stderr.xml: each line takes 100 ms, so the last ones are still queued when the command is done).
 */
@Timeout(240)
class JsonLogsIT {

    private static final String SLOW_STDERR = "-Dlogback.configurationFile=" + Path.of("target", "test-classes",
            "logback-slow-stderr.xml").toAbsolutePath();

    private static final Pattern LISTENING = Pattern.compile("pgwarden listening on 127\\.0\\.0\\.1:([0-9]+)");

    @TempDir
    Path dir;

    private Process start(List<String> jvmOptions, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "-Dpgwarden.home=" + dir));
        command.addAll(jvmOptions);
        command.add(PgwardenCli.class.getName());
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectOutput(dir.resolve("out.txt").toFile())
                .redirectError(dir.resolve("err.txt").toFile()).start();
    }

    private int awaitPort(Process process) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline && process.isAlive()) {
            Matcher matcher = LISTENING.matcher(Files.readString(dir.resolve("out.txt")));
            if (matcher.find()) {
                return Integer.parseInt(matcher.group(1));
            }
            Thread.sleep(100);
        }
        throw new AssertionError("pgwarden did not start; standard error:\n" + Files.readString(dir.resolve("err.txt")));
    }

    /** Standard error's lines as JSON objects; {@code commandMessage}: the command's own message to a person, in text. */
    private List<JSONObject> jsonLines(String commandMessage) throws Exception {
        List<JSONObject> objects = new ArrayList<>();
        for (String line : Files.readAllLines(dir.resolve("err.txt"), StandardCharsets.UTF_8)) {
            if (commandMessage != null && line.startsWith(commandMessage)) {
                continue;
            }
            Object parsed = new JSONParser(JSONParser.MODE_STRICTEST).parse(line);
            assertThat(parsed).as("a line of standard error: %s", line).isInstanceOf(JSONObject.class);
            objects.add((JSONObject) parsed);
        }
        return objects;
    }

    private static void terminate(Process process) throws Exception {
        Process kill = new ProcessBuilder("kill", "-TERM", Long.toString(process.pid())).inheritIO().start();
        assertThat(kill.waitFor(10, TimeUnit.SECONDS) && kill.exitValue() == 0).as("kill -TERM").isTrue();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("stopped within 60s of SIGTERM").isTrue();
    }

    @Test
    void everyLineIsJsonAndSessionLinesCarryTheSessionId() throws Exception {
        try (PgwardenDemo postgres = new PgwardenDemo()) {
            postgres.start(0, dir.resolve("demo"));
            Process serve = start(List.of(SLOW_STDERR), "serve", "--backend", "127.0.0.1:" + postgres.postgresPort(), "--listen",
                    "127.0.0.1:0", "--log-format", "json");
            try {
                int port = awaitPort(serve);
                try (Connection connection = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/demo?user=postgres");
                     Statement statement = connection.createStatement();
                     ResultSet rows = statement.executeQuery("SELECT count(*) FROM people")) {
                    assertThat(rows.next()).isTrue();
                }
                Assertions.assertThatThrownBy(() -> DriverManager.getConnection(
                        "jdbc:postgresql://127.0.0.1:" + port + "/no_such_db?user=postgres").close()).isInstanceOf(SQLException.class);
                terminate(serve);
            } finally {
                serve.destroyForcibly();
            }
        }

        List<JSONObject> lines = jsonLines(null);
        assertThat(lines).isNotEmpty()
                .allSatisfy(line -> assertThat(line).containsKeys("timestamp", "level", "logger", "thread", "message"));
        List<JSONObject> sessionLines = lines.stream().filter(line -> line.containsKey("session")).toList();
        Set<String> sessions = new TreeSet<>();
        sessionLines.forEach(line -> sessions.add((String) line.get("session")));
        assertThat(sessions).as("two client sessions").hasSize(2).allSatisfy(id -> assertThat(id).matches("[0-9a-f]{8}"));
        assertThat(sessionLines).anySatisfy(line -> assertThat((String) line.get("message")).startsWith("connection from "))
                .anySatisfy(line -> assertThat((String) line.get("message")).isEqualTo("session ended"))
                .allSatisfy(line -> assertThat((String) line.get("message")).doesNotStartWith("["));
        assertThat(lines).noneSatisfy(line -> assertThat((String) line.get("message")).matches("^\\[[0-9a-f]{8}] .*"));
        assertThat(lines.get(lines.size() - 1)).as("the last line, logged in the shutdown hook")
                .containsEntry("message", "pgwarden stopped");
    }

    @Test
    void theLastLineBeforeAFailedCommandExitsIsWritten() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Process serve = start(List.of(SLOW_STDERR, "-Dpgwarden.log.level=debug", "-Dpgwarden.log.format=json"), "serve",
                    "--backend", "127.0.0.1:5432", "--listen", "127.0.0.1:" + taken.getLocalPort());
            try {
                assertThat(serve.waitFor(60, TimeUnit.SECONDS)).isTrue();
            } finally {
                serve.destroyForcibly();
            }
            assertThat(serve.exitValue()).isEqualTo(ExitCode.RUNTIME_FAILURE);
        }
        assertThat(Files.readString(dir.resolve("err.txt"))).contains("pgwarden: cannot listen on 127.0.0.1:");
        List<JSONObject> lines = jsonLines("pgwarden: cannot listen on ");
        assertThat(lines).isNotEmpty();
        JSONObject last = lines.get(lines.size() - 1);
        assertThat(last).containsEntry("level", "DEBUG").containsEntry("logger", PgwardenCli.class.getName())
                .containsEntry("message", "serve failed").containsKey("exception");
    }

    @Test
    void saysSoWhenTheUsersOwnConfigurationLeavesTheOptionNothingToSwitch() throws Exception {
        String plain = "-Dlogback.configurationFile=" + Path.of("target", "test-classes", "logback-plain-stderr.xml").toAbsolutePath();
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Process serve = start(List.of(plain), "serve", "--backend", "127.0.0.1:5432", "--listen",
                    "127.0.0.1:" + taken.getLocalPort(), "--log-format", "json");
            try {
                assertThat(serve.waitFor(60, TimeUnit.SECONDS)).isTrue();
            } finally {
                serve.destroyForcibly();
            }
        }
        assertThat(Files.readString(dir.resolve("err.txt"))).startsWith("pgwarden: --log-format json has no effect: "
                + "the Logback configuration in use has no io.pgwarden.core.logging.LogLineEncoder\n")
                .contains("INFO io.pgwarden.core.plugin.PluginHost ");
    }
}
