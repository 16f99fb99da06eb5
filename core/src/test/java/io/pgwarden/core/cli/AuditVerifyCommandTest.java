package io.pgwarden.core.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgwarden.core.audit.ChainFixture;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class AuditVerifyCommandTest {

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

    private Path keyFile() throws IOException {
        return Files.writeString(dir.resolve("audit.key"), ChainFixture.KEY + "\n");
    }

    @Test
    void verifyExitsZeroWithASummaryWhenIntact() throws IOException {
        Path file = Files.writeString(dir.resolve("audit.jsonl"),
                ChainFixture.join(new ChainFixture().statement("SELECT ?").checkpoint().lines()));

        assertThat(run("audit", "verify", file.toString(), "--key-file", keyFile().toString())).isZero();
        assertThat(out.toString()).contains(file + ": intact", "records      3 (header and 1 checkpoints included)", "MACs verified",
                "closed       yes");
        assertThat(err.toString()).isEmpty();
    }

    @Test
    void verifyWithoutAKeySaysTheMacsWereNotChecked() throws IOException {
        Path file = Files.writeString(dir.resolve("audit.jsonl"),
                ChainFixture.join(new ChainFixture().statement("SELECT ?").checkpoint("another key, not checked").lines()));

        assertThat(run("audit", "verify", file.toString())).isZero();
        assertThat(out.toString()).contains("MACs NOT verified (no --key-file)");
    }

    @Test
    void verifyExitsOneWithTheFirstBrokenLink() throws IOException {
        List<String> lines = new ChainFixture().statement("SELECT ?").statement("SELECT ?").checkpoint().lines();
        lines.set(1, lines.get(1).replace("SELECT", "select"));
        Path file = Files.writeString(dir.resolve("audit.jsonl"), ChainFixture.join(lines));

        assertThat(run("audit", "verify", file.toString(), "--key-file", keyFile().toString())).isEqualTo(1);
        assertThat(err.toString()).contains(file + ": BROKEN at line 3: prev does not match the hash of line 2: line 2 was edited",
                "2 records before it are intact");
    }

    @Test
    void verifyOfAMissingFileIsARuntimeFailure() {
        assertThat(run("audit", "verify", dir.resolve("missing.jsonl").toString())).isEqualTo(1);
        assertThat(err.toString()).contains("missing.jsonl");
    }

    @Test
    void auditWithoutASubcommandIsAUsageError() {
        assertThat(run("audit")).isEqualTo(2);
        assertThat(err.toString()).contains("verify");
    }

    @Test
    void verifyWantsEitherAFileOrATable() throws IOException {
        assertThat(run("audit", "verify")).isEqualTo(2);
        assertThat(err.toString()).contains("either FILE or --table");

        Path file = Files.writeString(dir.resolve("audit.jsonl"), ChainFixture.join(new ChainFixture().lines()));
        assertThat(run("audit", "verify", file.toString(), "--table", "audit.events")).isEqualTo(2);
    }

    @Test
    void aBadTableNameOrUrlIsAUsageErrorBeforeAnyConnection() {
        assertThat(run("audit", "verify", "--table", "audit.events; DROP TABLE x", "--url", "postgresql://u@127.0.0.1:1/d")).isEqualTo(2);
        assertThat(err.toString()).contains("lower-case letters");

        assertThat(run("audit", "verify", "--table", "audit.events", "--url", "http://u@h/d")).isEqualTo(2);
        assertThat(err.toString()).contains("postgresql://user@host:port/database");
    }

    @Test
    void anUnreachableDatabaseIsARuntimeFailureNamingItWithoutThePassword() throws IOException {
        Path password = Files.writeString(dir.resolve("pw"), "hunter2-not-shown\n");
        assertThat(run("audit", "verify", "--table", "audit.events", "--url", "postgresql://u@127.0.0.1:1/d",
                "--password-file", password.toString())).isEqualTo(1);
        assertThat(err.toString()).contains("audit.events stream pgwarden: cannot be read from postgresql://u@127.0.0.1:1/d")
                .doesNotContain("hunter2");
    }
}
