package io.pgwarden.core.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code --log-format}: text or json, anything else a usage error before the command does anything. */
class LogFormatOptionTest {

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine commandLine = PgwardenCli.commandLine();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        return commandLine.execute(args);
    }

    @Test
    void anUnknownFormatIsAUsageErrorForServe() {
        assertThat(run("serve", "--backend", "127.0.0.1:5432", "--log-format", "xml")).isEqualTo(ExitCode.USAGE);
        assertThat(err.toString()).contains("Invalid value for option '--log-format'", "expected text or json, found 'xml'");
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void anUnknownFormatIsAUsageErrorForDemo() {
        assertThat(run("demo", "--log-format=")).isEqualTo(ExitCode.USAGE);
        assertThat(err.toString()).contains("expected text or json, found ''");
        assertThat(out.toString()).doesNotContain("Starting PostgreSQL");
    }

    @Test
    void helpNamesTheOption() {
        assertThat(run("serve", "--help")).isZero();
        assertThat(out.toString()).contains("--log-format=FORMAT", "PGWARDEN_LOG_FORMAT");
    }
}
