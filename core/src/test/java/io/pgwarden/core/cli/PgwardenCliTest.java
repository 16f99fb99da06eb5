package io.pgwarden.core.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class PgwardenCliTest {

    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine commandLine = PgwardenCli.commandLine();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        return commandLine.execute(args);
    }

    @Test
    void checkConfigAcceptsAValidFile() throws IOException {
        Path file = Files.writeString(dir.resolve("ok.yaml"), """
                backends: { primary: { host: db.internal, port: 5433 } }
                auth: { rules: [ { method: passthrough } ] }
                """);

        assertThat(run("check-config", file.toString())).isZero();
        assertThat(out.toString()).contains(file + ": configuration OK", "backend  primary -> db.internal:5433 (TLS prefer)",
                "rules    1", "pool     session mode, size 20\n", "admin    no HTTP endpoint\n");
        assertThat(err.toString()).isEmpty();
    }

    @Test
    void checkConfigNamesTheAdminEndpoint() throws IOException {
        Path file = Files.writeString(dir.resolve("admin.yaml"), """
                backends: { primary: { host: db.internal } }
                auth: { rules: [ { method: passthrough } ] }
                admin: { http: { listen: "[::1]:9127", ready_check_interval: 2s } }
                """);

        assertThat(run("check-config", file.toString())).isZero();
        assertThat(out.toString()).contains("admin    HTTP [::1]:9127 (/health, /ready, /metrics; backend check every 2000ms)\n");
    }

    @Test
    void checkConfigRefusesABadAdminAddressWithItsPath() throws IOException {
        Path file = Files.writeString(dir.resolve("admin-bad.yaml"), """
                backends: { primary: { host: db.internal } }
                auth: { rules: [ { method: passthrough } ] }
                admin: { http: { listen: "localhost:99999" } }
                """);

        assertThat(run("check-config", file.toString())).isEqualTo(3);
        assertThat(err.toString()).contains("admin.http.listen: expected host:port");
    }

    @Test
    void checkConfigSummarisesThePool() throws IOException {
        Path file = Files.writeString(dir.resolve("pool.yaml"), """
                backends: { primary: { host: db.internal } }
                auth: { rules: [ { method: passthrough } ] }
                pool:
                  mode: transaction
                  size: 8
                  databases: { reports: { mode: session }, batch: { size: 2 } }
                  users: { etl: { max_connections: 3 } }
                """);

        assertThat(run("check-config", file.toString())).isZero();
        assertThat(out.toString()).contains("pool     transaction mode, size 8; overrides for 2 databases and 1 user");
    }

    @Test
    void checkConfigReportsPoolProblems() throws IOException {
        Path file = Files.writeString(dir.resolve("badpool.yaml"), """
                backends: { primary: { host: db.internal } }
                auth: { rules: [ { method: passthrough } ] }
                pool: { mode: statement, size: 0 }
                """);

        assertThat(run("check-config", file.toString())).isEqualTo(3);
        assertThat(err.toString()).contains(file + ": 2 problems",
                "  pool.mode: statement mode is not supported; use transaction",
                "  pool.size: expected a pool size 1-10000, found '0'");
    }

    @Test
    void checkConfigPrintsEveryProblemAndExitsThree() throws IOException {
        Path file = Files.writeString(dir.resolve("bad.yaml"), """
                listen: { prot: 1 }
                backends: { primary: { host: db, port: abc } }
                """);

        assertThat(run("check-config", file.toString())).isEqualTo(3);
        assertThat(err.toString()).contains(file + ": 3 problems",
                "  listen.prot: unknown key; known keys: host, port, tls",
                "  backends.primary.port: expected a port 1-65535, found 'abc'",
                "  auth: is required");
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void checkConfigRefusesPluginTypesThatAreNotInstalled() throws IOException {
        Files.createDirectories(dir.resolve("plugins"));
        Path file = Files.writeString(dir.resolve("plugins.yaml"), """
                backends: { primary: { host: db } }
                auth: { rules: [ { method: passthrough } ] }
                plugins: [ { type: no-such-plugin } ]
                """);

        assertThat(run("check-config", file.toString())).isEqualTo(3);
        assertThat(err.toString()).contains("plugins[0].type: unknown plugin type 'no-such-plugin'; available: ");
    }

    @Test
    void checkConfigOfAMissingFileExitsThree() {
        assertThat(run("check-config", dir.resolve("nope.yaml").toString())).isEqualTo(3);
        assertThat(err.toString()).contains("nope.yaml: no such file");
    }

    @Test
    void checkConfigWithoutAFileIsAUsageError() {
        assertThat(run("check-config")).isEqualTo(2);
        assertThat(err.toString()).contains("Missing required parameter: 'FILE'");
    }

    @Test
    void unknownOptionsAndCommandsAreUsageErrors() {
        assertThat(run("--frobnicate")).isEqualTo(2);
        assertThat(run("frobnicate")).isEqualTo(2);
    }

    @Test
    void noCommandPrintsUsageAndExitsTwo() {
        assertThat(run()).isEqualTo(2);
        assertThat(err.toString()).contains("Usage: pgwarden", "check-config", "Exit codes:", "3   invalid configuration");
    }

    @Test
    void versionPrintsTheVersions() {
        assertThat(run("version")).isZero();
        assertThat(out.toString()).startsWith("pgwarden ").contains("plugin SPI " + io.pgwarden.spi.SpiVersion.CURRENT, "Java ");
        assertThat(run("--version")).isZero();
    }

    @Test
    void everyCommandHasHelp() {
        for (String command : PgwardenCli.commandLine().getSubcommands().keySet()) {
            if (command.equals("help")) {
                continue;
            }
            StringWriter help = new StringWriter();
            CommandLine commandLine = PgwardenCli.commandLine();
            commandLine.setOut(new PrintWriter(help, true));
            assertThat(commandLine.execute(command, "--help")).as(command).isZero();
            assertThat(help.toString()).as(command).contains("Usage: pgwarden " + command);
        }
        assertThat(run("--help")).isZero();
    }
}
