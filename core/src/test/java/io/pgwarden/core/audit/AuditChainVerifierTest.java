package io.pgwarden.core.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuditChainVerifierTest {

    @TempDir
    Path temp;

    private static final byte[] KEY = ChainFixture.KEY.getBytes(StandardCharsets.UTF_8);

    private List<String> chain() {
        return new ChainFixture().statement("SELECT ?").statement("UPDATE t SET a = ?").checkpoint()
                .statement("DELETE FROM t").statement("SELECT 2").checkpoint().lines();
    }

    private AuditVerification verify(List<String> lines, byte[] key) throws IOException {
        Path file = temp.resolve("audit.jsonl");
        Files.writeString(file, ChainFixture.join(lines));
        return new AuditChainVerifier(key).verify(file);
    }

    @Test
    void anIntactFileWithItsKeyPasses() throws IOException {
        AuditVerification result = verify(chain(), KEY);

        assertThat(result.intact()).isTrue();
        assertThat(result.records()).isEqualTo(7);
        assertThat(result.checkpoints()).isEqualTo(2);
        assertThat(result.macsVerified()).isTrue();
        assertThat(result.closed()).isTrue();
        assertThat(result.uncovered()).isZero();
        assertThat(result.previousHash()).isEqualTo("0".repeat(64));
    }

    @Test
    void anEditedRecordIsNamedByTheNextLink() throws IOException {
        List<String> lines = chain();
        lines.set(2, lines.get(2).replace("UPDATE t", "UPDATE u"));

        AuditVerification result = verify(lines, null);

        assertThat(result.intact()).isFalse();
        assertThat(result.brokenLine()).isEqualTo(4);
        assertThat(result.problem()).hasValue("line 4: prev does not match the hash of line 3: line 3 was edited");
    }

    @Test
    void aDeletedRecordIsReported() throws IOException {
        List<String> lines = chain();
        lines.remove(2);

        AuditVerification result = verify(lines, KEY);

        assertThat(result.brokenLine()).isEqualTo(3);
        assertThat(result.problem()).hasValue("line 3: seq jumps from 1 to 3: a record was deleted");
    }

    @Test
    void reorderedRecordsAreReported() throws IOException {
        List<String> lines = chain();
        Collections.swap(lines, 4, 5);

        AuditVerification result = verify(lines, KEY);

        assertThat(result.brokenLine()).isEqualTo(5);
        assertThat(result.problem()).hasValue("line 5: record seq 5 comes before seq 4: records were reordered");
    }

    @Test
    void aRewrittenChainFailsAtItsCheckpointWithTheKeyOnly() throws IOException {
        List<String> forged = new ChainFixture().statement("SELECT ?").statement("UPDATE t SET a = ?").checkpoint("not the real key!!")
                .lines();

        assertThat(verify(forged, null).intact()).isTrue();
        AuditVerification result = verify(forged, KEY);
        assertThat(result.brokenLine()).isEqualTo(4);
        assertThat(result.problem().orElseThrow()).contains("checkpoint MAC does not match");
    }

    @Test
    void aFileOfOnlyTheHeaderIsIntactAndEmpty() throws IOException {
        AuditVerification result = verify(new ChainFixture().lines(), KEY);

        assertThat(result.intact()).isTrue();
        assertThat(result.records()).isEqualTo(1);
        assertThat(result.checkpoints()).isZero();
        assertThat(result.closed()).isFalse();
    }

    @Test
    void garbageLinesAreReported() throws IOException {
        List<String> lines = chain();
        lines.add(3, "this is not json");
        assertThat(verify(lines, KEY).problem()).hasValue("line 4: not an audit record (garbage, or an edited line)");

        assertThat(verify(List.of("\u0000\u0001garbage"), KEY).problem())
                .hasValue("line 1: not an audit record (garbage, or an edited line)");
        assertThat(verify(List.of(""), KEY).brokenLine()).isEqualTo(1);
    }

    @Test
    void aFileWithoutItsHeaderIsReported() throws IOException {
        List<String> lines = chain();
        lines.remove(0);

        assertThat(verify(lines, KEY).problem().orElseThrow()).contains("line 1: the first line is not a header");
    }

    @Test
    void anEmptyFileIsBroken() throws IOException {
        Path file = Files.createFile(temp.resolve("empty.jsonl"));

        assertThat(new AuditChainVerifier(KEY).verify(file).problem()).hasValue("line 1: the file is empty: no header record");
    }

    @Test
    void aTamperedCheckpointIsReported() throws IOException {
        List<String> lines = chain();
        lines.set(3, lines.get(3).replaceAll("\"mac\":\"[0-9a-f]{4}", "\"mac\":\"0000"));

        AuditVerification result = verify(lines.subList(0, 4), KEY);

        assertThat(result.problem().orElseThrow()).startsWith("line 4: the checkpoint MAC does not match");
    }

    @Test
    void recordsAfterTheLastCheckpointAreCountedAsUncovered() throws IOException {
        List<String> lines = new ChainFixture().statement("SELECT ?").checkpoint().statement("SELECT ?").statement("SELECT ?").lines();

        AuditVerification result = verify(lines, KEY);

        assertThat(result.intact()).isTrue();
        assertThat(result.uncovered()).isEqualTo(2);
        assertThat(result.closed()).isFalse();
    }

    private static AuditVerification verifyTable(List<String> records) {
        return new AuditChainVerifier(KEY).verify(records.stream().map(r -> r.getBytes(StandardCharsets.UTF_8)).iterator(),
                RecordSource.TABLE);
    }

    @Test
    void aTableStreamMayHoldARestartHeaderAndNamesRecordsBySeq() {
        List<String> records = new ChainFixture().statement("SELECT ?").checkpoint().restart().statement("SELECT ?").checkpoint().lines();

        AuditVerification intact = verifyTable(records);
        assertThat(intact.intact()).as(intact.problem().orElse("")).isTrue();
        assertThat(intact.records()).isEqualTo(6);

        List<String> edited = new ArrayList<>(records);
        edited.set(1, edited.get(1).replace("SELECT", "select"));
        AuditVerification broken = verifyTable(edited);
        assertThat(broken.brokenLine()).isEqualTo(2);
        assertThat(broken.problem()).hasValue("seq 2: prev does not match the hash of seq 1: seq 1 was edited");
    }

    @Test
    void aTableStreamNamesDeletionsReorderingsAndAMissingStart() {
        List<String> records = new ChainFixture().statement("A").statement("B").statement("C").checkpoint().lines();

        List<String> deleted = new ArrayList<>(records);
        deleted.remove(2);
        assertThat(verifyTable(deleted).problem()).hasValue("seq 2: seq jumps from 1 to 3: a record was deleted");

        List<String> swapped = new ArrayList<>(records);
        Collections.swap(swapped, 1, 2);
        assertThat(verifyTable(swapped).problem()).hasValue("seq 1: record seq 2 comes before seq 1: records were reordered");

        assertThat(verifyTable(records.subList(1, records.size())).problem())
                .hasValue("seq 0: the first record is not a header with seq 0: the beginning of the stream was deleted");
        assertThat(verifyTable(List.of()).problem()).hasValue("seq 0: the stream has no records");
    }

    private AuditVerification verify(List<String> lines) throws IOException {
        return verify(lines, KEY);
    }

    @Test
    void aFileStillRefusesASecondHeader() throws IOException {
        assertThat(verify(new ChainFixture().statement("A").restart().lines()).problem())
                .hasValue("line 3: a second header inside the file");
    }
}
