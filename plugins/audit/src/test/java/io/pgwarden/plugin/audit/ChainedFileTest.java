package io.pgwarden.plugin.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgwarden.core.audit.AuditChainVerifier;
import io.pgwarden.core.audit.AuditVerification;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChainedFileTest {

    private static final byte[] KEY = "0123456789abcdef-test-key".getBytes(StandardCharsets.UTF_8);
    private static final long T0 = 1_700_000_000_000L;
    private static final String BODY = "\"type\":\"statement\",\"text\":\"SELECT ?\"}";

    @TempDir
    Path dir;

    private ChainedFile file(long maxSize, long maxAgeMillis, int checkpointRecords) {
        return new ChainedFile(dir.resolve("audit.jsonl"), "test", maxSize, maxAgeMillis, checkpointRecords, 60_000, KEY, 0);
    }

    private AuditVerification verify(Path path) throws IOException {
        return new AuditChainVerifier(KEY).verify(path);
    }

    private List<Path> rotated() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> !p.getFileName().toString().equals("audit.jsonl")).sorted().toList();
        }
    }

    private static String sha256(String line) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(line.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void writesAHeaderChainedRecordsAndCheckpoints() throws Exception {
        ChainedFile chained = file(1 << 20, 3_600_000, 2);
        for (int i = 0; i < 3; i++) {
            TestSinks.append(chained, BODY, T0 + i);
        }
        chained.close(T0 + 10);

        List<String> lines = Files.readAllLines(dir.resolve("audit.jsonl"));
        assertThat(lines).hasSize(6);
        assertThat(lines.get(0)).startsWith("{\"seq\":0,\"prev\":\"" + ChainedFile.GENESIS + "\",\"type\":\"header\",")
                .contains("\"stream\":\"test\"", "\"previous_file\":null");
        assertThat(lines.get(1)).isEqualTo("{\"seq\":1,\"prev\":\"" + sha256(lines.get(0)) + "\"," + BODY);
        assertThat(lines.get(3)).contains("\"type\":\"checkpoint\"");
        assertThat(lines.get(5)).contains("\"type\":\"checkpoint\"");
        AuditVerification result = verify(dir.resolve("audit.jsonl"));
        assertThat(result.intact()).isTrue();
        assertThat(result.checkpoints()).isEqualTo(2);
        assertThat(result.closed()).isTrue();
    }

    @Test
    void rotatesBySizeAndLinksTheNewFileToTheOldOnesLastLine() throws Exception {
        ChainedFile chained = file(1024, 3_600_000, 1000);
        for (int i = 0; i < 30; i++) {
            TestSinks.append(chained, BODY, T0 + i);
        }
        chained.close(T0 + 100);

        List<Path> old = rotated();
        assertThat(old).isNotEmpty();
        for (Path path : old) {
            assertThat(Files.size(path)).isLessThanOrEqualTo(1024);
            assertThat(verify(path).intact()).as(path.toString()).isTrue();
        }
        List<Path> all = new java.util.ArrayList<>(old);
        all.add(dir.resolve("audit.jsonl"));
        for (int i = 1; i < all.size(); i++) {
            List<String> before = Files.readAllLines(all.get(i - 1));
            AuditVerification next = verify(all.get(i));
            assertThat(next.previousHash()).isEqualTo(sha256(before.get(before.size() - 1)));
            assertThat(Files.readAllLines(all.get(i)).get(0)).contains("\"previous_file\":\"" + all.get(i - 1).getFileName() + "\"");
        }
        long statements = 0;
        for (Path path : all) {
            statements += Files.readAllLines(path).stream().filter(l -> l.contains("\"type\":\"statement\"")).count();
        }
        assertThat(statements).isEqualTo(30);
    }

    @Test
    void rotatesByAge() throws Exception {
        ChainedFile chained = file(1 << 20, 1000, 1000);
        TestSinks.append(chained, BODY, T0);
        TestSinks.append(chained, BODY, T0 + 500);
        chained.tick(T0 + 999);
        assertThat(rotated()).isEmpty();
        chained.tick(T0 + 1000);
        assertThat(rotated()).hasSize(1);
        assertThat(rotated().get(0).getFileName().toString()).isEqualTo("audit.jsonl.20231114T221321000Z");
        chained.close(T0 + 2000);
        assertThat(verify(rotated().get(0)).closed()).isTrue();
    }

    /** A file with one record, closed by its writer; its lines. */
    private List<String> oneClosedFile() throws IOException {
        ChainedFile first = file(1 << 20, 3_600_000, 1000);
        TestSinks.append(first, BODY, T0);
        first.close(T0 + 1);
        return Files.readAllLines(dir.resolve("audit.jsonl"));
    }

    /** A new writer on the same path appends one record and closes. */
    private void restartWithOneRecord() throws IOException {
        ChainedFile second = file(1 << 20, 3_600_000, 1000);
        TestSinks.append(second, BODY, T0 + 5);
        second.close(T0 + 6);
    }

    @Test
    void aRestartKeepsTheOldFileAndContinuesItsChain() throws Exception {
        List<String> before = oneClosedFile();

        restartWithOneRecord();

        assertThat(rotated()).hasSize(1);
        assertThat(Files.readAllLines(rotated().get(0))).isEqualTo(before);
        assertThat(verify(dir.resolve("audit.jsonl")).previousHash()).isEqualTo(sha256(before.get(before.size() - 1)));
    }

    @Test
    void aRestartLinksToTheLastLineBeforeThePaddingOfAnInterruptedDirectWrite() throws Exception {
        List<String> before = oneClosedFile();
        Files.write(dir.resolve("audit.jsonl"), new byte[700], StandardOpenOption.APPEND);

        restartWithOneRecord();

        assertThat(verify(dir.resolve("audit.jsonl")).previousHash()).isEqualTo(sha256(before.get(before.size() - 1)));
        assertThat(verify(dir.resolve("audit.jsonl")).intact()).isTrue();
    }

    @Test
    void aTimedCheckpointCoversAnIdleTail() throws Exception {
        ChainedFile chained = file(1 << 20, 3_600_000, 1000);
        TestSinks.append(chained, BODY, T0);
        chained.tick(T0 + 59_999);
        chained.flush();
        assertThat(Files.readAllLines(dir.resolve("audit.jsonl"))).hasSize(2);
        chained.tick(T0 + 60_000);
        chained.flush();
        assertThat(Files.readAllLines(dir.resolve("audit.jsonl"))).hasSize(3).last().asString().contains("\"type\":\"checkpoint\"");
        chained.close(T0 + 60_001);
        assertThat(Files.readAllLines(dir.resolve("audit.jsonl"))).hasSize(3);
    }
}
