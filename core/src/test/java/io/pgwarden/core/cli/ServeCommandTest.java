package io.pgwarden.core.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgwarden.core.config.PoolConfig;
import io.pgwarden.core.config.PoolMode;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The ways {@code serve} refuses to start; starting for real is in ServeCommandIT. */
class ServeCommandTest {

    @TempDir
    Path dir;

    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine commandLine = PgwardenCli.commandLine();
        commandLine.setOut(new PrintWriter(new StringWriter(), true));
        commandLine.setErr(new PrintWriter(err, true));
        return commandLine.execute(args);
    }

    @Test
    void configAndBackendTogetherAreAUsageError() {
        assertThat(run("serve", "--config", "x.yaml", "--backend", "db:5432")).isEqualTo(2);
        assertThat(err.toString()).contains("--config cannot be combined with --backend or --listen");
    }

    @Test
    void listenWithoutBackendIsAUsageError() {
        assertThat(run("serve", "--listen", "127.0.0.1:7000")).isEqualTo(2);
        assertThat(err.toString()).contains("--listen needs --backend");
    }

    @Test
    void poolOptionsWithoutBackendAreAUsageError() {
        assertThat(run("serve", "--pool-mode", "transaction")).isEqualTo(2);
        assertThat(err.toString()).contains("--pool-mode needs --backend (or use --config)");
        assertThat(run("serve", "--pool-size", "5")).isEqualTo(2);
        assertThat(err.toString()).contains("--pool-size needs --backend (or use --config)");
    }

    @Test
    void poolOptionsWithConfigAreAUsageError() {
        assertThat(run("serve", "--config", "x.yaml", "--pool-size", "5")).isEqualTo(2);
        assertThat(err.toString()).contains("--pool-mode and --pool-size cannot be combined with --config; "
                + "set pool.mode and pool.size in the file");
    }

    @Test
    void statementPoolModeIsAUsageError() {
        assertThat(run("serve", "--backend", "db:5432", "--pool-mode", "statement")).isEqualTo(2);
        assertThat(err.toString()).contains("Invalid value for option '--pool-mode': statement mode is not supported; "
                + "use transaction");
    }

    @Test
    void unknownPoolModeIsAUsageError() {
        assertThat(run("serve", "--backend", "db:5432", "--pool-mode", "sometimes")).isEqualTo(2);
        assertThat(err.toString()).contains("Invalid value for option '--pool-mode': expected session or transaction, "
                + "found 'sometimes'");
    }

    @Test
    void poolSizeOutOfRangeIsAUsageError() {
        assertThat(run("serve", "--backend", "db:5432", "--pool-size", "0")).isEqualTo(2);
        assertThat(err.toString()).contains("Invalid value for option '--pool-size': expected a pool size 1-10000, found '0'");
        assertThat(run("serve", "--backend", "db:5432", "--pool-size", "many")).isEqualTo(2);
        assertThat(err.toString()).contains("expected a pool size 1-10000, found 'many'");
    }

    @Test
    void poolOptionsReachTheQuickStartConfiguration() {
        CommandLine commandLine = PgwardenCli.commandLine();
        CommandLine.ParseResult parsed = commandLine.parseArgs("serve", "--backend", "db:5432", "--pool-mode", "transaction",
                "--pool-size", "12");
        ServeCommand serve = parsed.subcommand().commandSpec().commandLine().getCommand();

        PoolConfig pool = serve.configuration().pool();

        assertThat(pool.mode()).isEqualTo(PoolMode.TRANSACTION);
        assertThat(pool.size()).isEqualTo(12);
    }

    @Test
    void malformedBackendIsAUsageError() {
        assertThat(run("serve", "--backend", "db:99999")).isEqualTo(2);
        assertThat(err.toString()).contains("port 99999 is out of range 1-65535");
    }

    @Test
    void invalidConfigurationExitsThreeWithEveryProblem() throws IOException {
        Path file = Files.writeString(dir.resolve("bad.yaml"), "listen: { port: -1 }\n");
        assertThat(run("serve", "--config", file.toString())).isEqualTo(3);
        assertThat(err.toString()).contains("invalid configuration: 3 problems", "listen.port: expected a port 0-65535, found '-1'",
                "backends: is required", "auth: is required");
    }

    @Test
    void unknownAuthMethodIsAnInvalidConfiguration() throws IOException {
        Path file = Files.writeString(dir.resolve("method.yaml"), """
                listen: { port: 0 }
                backends: { a: { host: 127.0.0.1, port: 1 } }
                auth: { rules: [ { method: no-such-method } ] }
                plugins_dir: .
                """);
        assertThat(run("serve", "--config", file.toString())).isEqualTo(3);
        assertThat(err.toString()).contains("auth.rules[0].method: unknown authentication method 'no-such-method'");
    }

    @Test
    void ruleOptionsAnAuthenticatorRefusesAreAnInvalidConfiguration() throws IOException {
        Path file = Files.writeString(dir.resolve("options.yaml"), """
                listen: { port: 0 }
                backends: { a: { host: 127.0.0.1, port: 1 } }
                auth: { rules: [ { method: picky, colour: blue } ] }
                plugins: [ { type: rule-options-test } ]
                plugins_dir: .
                """);
        assertThat(run("serve", "--config", file.toString())).isEqualTo(3);
        assertThat(err.toString()).contains("invalid configuration: 1 problem",
                "auth.rules[0].colour: unknown option for method picky; known: flavour");
    }

    @Test
    void portInUseIsARuntimeFailure() throws IOException {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            assertThat(run("serve", "--backend", "127.0.0.1:1", "--listen", "127.0.0.1:" + taken.getLocalPort())).isEqualTo(1);
            assertThat(err.toString()).contains("pgwarden: ").contains(String.valueOf(taken.getLocalPort()));
        }
    }
}
