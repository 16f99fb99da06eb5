package io.pgwarden.plugin.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgwarden.core.audit.AuditChainVerifier;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuditWriterTest {

    private static final byte[] KEY = "writer-test-key-0123456789".getBytes(StandardCharsets.UTF_8);
    private static final SessionFacts FACTS = new SessionFacts("s1", new InetSocketAddress("127.0.0.1", 1), "db", "u", null, null, null);

    @TempDir
    Path dir;

    private final TestServices services = new TestServices();

    private AuditWriter writer(AuditQueue queue, Path path) {
        ChainedFile file = new ChainedFile(path, "test", 1 << 20, 3_600_000, 1000, 60_000, KEY, 0);
        return new AuditWriter(queue, new EventJson(false), Map.of(file, drops(file.name())), services.logger(), services.clock());
    }

    private DropReport drops(String sink) {
        return new DropReport(sink, services.metrics.counter("pgwarden.audit.dropped", "", "sink", sink), services.logger(),
                services.clock());
    }

    private AuditQueue queue() {
        return new AuditQueue(100, 1L << 20, services.counter("pgwarden.audit.dropped"), services.logger(), services.clock());
    }

    private static AuditEvent statement(String sql) {
        return new AuditEvent(AuditEvent.Type.STATEMENT, 0, FACTS, sql, 0, false, "SELECT 1", null, 1000);
    }

    @Test
    void closeWritesWhatIsQueuedAndAClosingCheckpoint() throws IOException {
        AuditQueue queue = queue();
        Path path = dir.resolve("audit.jsonl");
        AuditWriter writer = writer(queue, path);
        for (int i = 0; i < 50; i++) {
            queue.offer(statement("SELECT " + i + ", 'secret-" + i + "'"));
        }
        writer.start();
        writer.close();

        List<String> lines = Files.readAllLines(path);
        assertThat(lines).hasSize(52);
        assertThat(lines).filteredOn(l -> l.contains("\"text\":\"SELECT ?, ?\"")).hasSize(50);
        assertThat(String.join("\n", lines)).doesNotContain("secret-");
        assertThat(new AuditChainVerifier(KEY).verify(path).closed()).isTrue();
        assertThat(services.metrics.count("pgwarden.audit.dropped{sink=file}")).isZero();
    }

    @Test
    void eventsTheFileRefusesAreCountedAsDroppedAndLoggedOnce() throws IOException {
        Path notADirectory = Files.writeString(dir.resolve("plain-file"), "x");
        AuditQueue queue = queue();
        AuditWriter writer = writer(queue, notADirectory.resolve("audit.jsonl"));
        writer.start();
        for (int i = 0; i < 3; i++) {
            queue.offer(statement("SELECT 1"));
        }
        writer.close();

        assertThat(services.metrics.count("pgwarden.audit.dropped{sink=file}")).isEqualTo(3);
        assertThat(services.logger.lines()).singleElement().asString().startsWith("ERROR audit file cannot be written");
    }
}
