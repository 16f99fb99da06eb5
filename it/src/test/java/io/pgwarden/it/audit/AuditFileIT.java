package io.pgwarden.it.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.pgwarden.core.cli.PgwardenCli;
import io.pgwarden.testkit.EmbeddedPostgres;
import io.pgwarden.testkit.LogCapture;
import io.pgwarden.testkit.PluginInstallation;
import io.pgwarden.testkit.ProxyFixture;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.jar.JarFile;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The audit plugin's jar, loaded from a plugins folder by a real proxy in front of real PostgreSQL, with pgjdbc
 * sessions in both protocols: every event type lands in the file, no literal password does, and
 * {@code pgwarden audit verify} passes on the file as written and fails once it is edited.
 */
class AuditFileIT {

    private static final String KEY = "audit-it-checkpoint-key-0123456789";
    private static final List<String> SECRETS = List.of("never-in-the-audit-file", "nor-this-one", KEY);

    private static EmbeddedPostgres postgres;
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
        plugin = new AuditPlugin();
    }

    @AfterAll
    static void stop() {
        if (plugin != null) {
            plugin.close();
        }
        if (postgres != null) {
            postgres.close();
        }
    }

    private static ProxyFixture proxy(Path auditFile) {
        return plugin.startProxy("""
                backends:
                  pg: { host: 127.0.0.1, port: %d, tls: { mode: disable } }
                auth:
                  rules:
                    - { method: passthrough }
                plugins:
                  - type: audit
                    checkpoint_key: "%s"
                    checkpoint_records: 5
                    file: { path: "%s", max_size: 10MiB, max_age: 1h }
                """.formatted(postgres.port(), plugin.secretReference("audit.key", KEY), auditFile));
    }

    private static int verify(Path file, StringWriter out, StringWriter err) {
        CommandLine cli = PgwardenCli.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute("audit", "verify", file.toString(), "--key-file", plugin.directory().resolve("audit.key").toString());
    }

    @Test
    void pluginJarDeclaresTheCurrentSpiAndStaysOffTheClassPath() throws IOException {
        try (JarFile jar = new JarFile(PluginInstallation.pluginJar("pgwarden.plugin.audit", "audit").toFile())) {
            assertThat(jar.getManifest().getMainAttributes().getValue("Plugin-Id")).isEqualTo("audit");
            assertThat(jar.getManifest().getMainAttributes().getValue("Plugin-Requires")).isEqualTo(io.pgwarden.spi.SpiVersion.CURRENT);
            assertThat(jar.getEntry("io/pgwarden/spi/Interceptor.class")).as("the SPI is never bundled").isNull();
        }
        assertThatThrownBy(() -> Class.forName("io.pgwarden.plugin.audit.AuditFactory")).isInstanceOf(ClassNotFoundException.class);
    }

    @Test
    void everyEventReachesTheChainedFileWithoutAnyLiteralAndVerifyCatchesAnEdit() throws Exception {
        Path auditFile = plugin.directory().resolve("audit-logs/audit.jsonl");
        List<String> lines;
        try (LogCapture log = LogCapture.start()) {
            ProxyFixture proxy = proxy(auditFile);
            String url = proxy.jdbcUrl("postgres", EmbeddedPostgres.SUPERUSER) + "&sslmode=disable";
            try (Connection connection = DriverManager.getConnection(url + "&preferQueryMode=simple");
                 Statement statement = connection.createStatement()) {
                statement.execute("CREATE ROLE audit_it LOGIN PASSWORD 'nor-this-one'");
                statement.execute("ALTER ROLE audit_it PASSWORD 'never-in-the-audit-file'");
                statement.execute("SELECT 1; SELECT   2 AS two");
                assertThatThrownBy(() -> statement.execute("SELECT * FROM audit_it_missing WHERE id = 7"))
                        .isInstanceOf(SQLException.class);
                statement.execute("DROP ROLE audit_it");
            }
            try (Connection connection = DriverManager.getConnection(url);
                 PreparedStatement statement = connection.prepareStatement("SELECT ?::int + 40 AS n FROM generate_series(1, 3)")) {
                statement.setInt(1, 2);
                try (ResultSet rs = statement.executeQuery()) {
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getInt(1)).isEqualTo(42);
                }
            }
            plugin.stop(proxy);
            lines = Files.readAllLines(auditFile);
            log.assertNoneOf(SECRETS);
        }

        assertThat(lines.get(0)).contains("\"type\":\"header\"");
        assertThat(lines).filteredOn(l -> l.contains("\"type\":\"session_start\"")).hasSize(2)
                .allSatisfy(l -> assertThat(l).contains("\"client\":\"127.0.0.1:", "\"database\":\"postgres\"", "\"user\":\"postgres\""));
        assertThat(lines).filteredOn(l -> l.contains("\"type\":\"auth_success\"")).hasSize(2)
                .allSatisfy(l -> assertThat(l).contains("\"role\":\"postgres\"", "\"subject\":\"postgres\"", "\"method\":\"passthrough\"",
                        "\"backend\":\"pg\"", "\"backend_user\":\"postgres\""));
        assertThat(lines).filteredOn(l -> l.contains("\"type\":\"session_end\"")).hasSize(2)
                .allSatisfy(l -> assertThat(l).contains("\"duration_ms\":"));
        assertThat(lines).anySatisfy(l -> assertThat(l).contains("\"protocol\":\"simple\"", "\"text\":\"ALTER ROLE audit_it PASSWORD ?\"",
                "\"command_tag\":\"ALTER ROLE\"", "\"sqlstate\":null"));
        assertThat(lines).anySatisfy(l -> assertThat(l).contains("\"text\":\"SELECT ?\"", "\"command_tag\":\"SELECT 1\"", "\"rows\":1"));
        assertThat(lines).anySatisfy(l -> assertThat(l).contains("\"text\":\"SELECT ? AS two\"", "\"rows\":1"));
        assertThat(lines).anySatisfy(l -> assertThat(l).contains("\"text\":\"SELECT * FROM audit_it_missing WHERE id = ?\"",
                "\"command_tag\":\"\"", "\"sqlstate\":\"42P01\""));
        assertThat(lines).anySatisfy(l -> assertThat(l).contains("\"protocol\":\"extended\"",
                "\"text\":\"SELECT $1::int + ? AS n FROM generate_series(?, ?)\"", "\"command_tag\":\"SELECT 3\"", "\"rows\":3",
                "\"duration_us\":"));
        assertThat(lines).filteredOn(l -> l.contains("\"type\":\"checkpoint\"")).isNotEmpty();
        assertThat(lines.get(lines.size() - 1)).contains("\"type\":\"checkpoint\"");
        assertThat(String.join("\n", lines)).doesNotContain(SECRETS).doesNotContain("raw_text");

        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        assertThat(verify(auditFile, out, err)).as(err.toString()).isZero();
        assertThat(out.toString()).contains(": intact", "MACs verified", "closed       yes");

        int edited = indexOf(lines, "ALTER ROLE audit_it PASSWORD ?");
        lines.set(edited, lines.get(edited).replace("\"user\":\"postgres\"", "\"user\":\"somebody\""));
        Files.write(auditFile, lines);
        out = new StringWriter();
        err = new StringWriter();
        assertThat(verify(auditFile, out, err)).isEqualTo(1);
        assertThat(err.toString()).contains("BROKEN at line " + (edited + 2) + ": prev does not match the hash of line " + (edited + 1)
                + ": line " + (edited + 1) + " was edited");
    }

    @Test
    void aLiteralCheckpointKeyStopsStartupNamingItsPath() {
        Throwable thrown = catchThrowable(() -> plugin.startProxy("""
                backends:
                  pg: { host: 127.0.0.1, port: %d, tls: { mode: disable } }
                auth:
                  rules:
                    - { method: passthrough }
                plugins:
                  - type: audit
                    checkpoint_key: "%s"
                    file: { path: "%s" }
                """.formatted(postgres.port(), KEY, plugin.directory().resolve("refused.jsonl"))));

        StringBuilder messages = new StringBuilder();
        for (Throwable t = thrown; t != null; t = t.getCause()) {
            messages.append(t.getMessage()).append('\n');
        }
        assertThat(messages.toString()).contains("plugins[0].checkpoint_key", "a literal key is refused").doesNotContain(KEY);
        assertThat(plugin.directory().resolve("refused.jsonl")).doesNotExist();
    }

    private static int indexOf(List<String> lines, String fragment) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains(fragment)) {
                return i;
            }
        }
        throw new AssertionError("no line contains " + fragment);
    }
}
