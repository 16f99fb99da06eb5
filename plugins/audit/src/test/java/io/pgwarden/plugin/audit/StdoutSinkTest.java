package io.pgwarden.plugin.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgwarden.core.audit.AuditChainVerifier;
import io.pgwarden.core.audit.AuditVerification;
import io.pgwarden.core.audit.RecordSource;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class StdoutSinkTest {

    private static final byte[] KEY = "stdout-test-key-0123456789".getBytes(StandardCharsets.UTF_8);

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    private List<String> lines() {
        return Arrays.asList(out.toString(StandardCharsets.UTF_8).split("\n"));
    }

    private AuditVerification verify() {
        return new AuditChainVerifier(KEY).verify(lines().stream().map(l -> l.getBytes(StandardCharsets.UTF_8)).iterator(),
                RecordSource.FILE);
    }

    @Test
    void linesAreAChainWithHeaderCheckpointsAndAClosingCheckpoint() throws IOException {
        StdoutSink sink = new StdoutSink(out, "pgwarden", new RecordChain(2, 60_000, KEY));
        sink.open(0);
        for (int i = 0; i < 3; i++) {
            TestSinks.append(sink, "\"type\":\"statement\",\"time\":\"2026-11-21T14:00:00Z\",\"text\":\"SELECT ? -- zoë " + i + "\"}", 1);
        }
        sink.flush();
        sink.close(2);

        assertThat(lines()).hasSize(6);
        assertThat(lines().get(0)).startsWith("{\"seq\":0,\"prev\":\"" + ChainedFile.GENESIS + "\",\"type\":\"header\"")
                .contains("\"stream\":\"pgwarden\"", "\"previous_seq\":null");
        assertThat(lines().get(3)).contains("\"type\":\"checkpoint\"");
        assertThat(lines().get(5)).contains("\"type\":\"checkpoint\"");
        AuditVerification verification = verify();
        assertThat(verification.intact()).as(verification.problem().orElse("")).isTrue();
        assertThat(verification.checkpoints()).isEqualTo(2);
        assertThat(verification.closed()).isTrue();
    }

    @Test
    void anIdleTickWritesADueCheckpointAndAnEditedLineBreaksTheChain() throws IOException {
        StdoutSink sink = new StdoutSink(out, "s", new RecordChain(1000, 10, KEY));
        sink.open(0);
        TestSinks.append(sink, "\"type\":\"statement\",\"time\":\"2026-11-21T14:00:00Z\",\"text\":\"SELECT ?\"}", 0);
        sink.tick(5);
        assertThat(lines()).hasSize(2);
        sink.tick(10);
        assertThat(lines()).hasSize(3);
        assertThat(lines().get(2)).contains("\"type\":\"checkpoint\"");
        assertThat(verify().intact()).isTrue();

        String edited = out.toString(StandardCharsets.UTF_8).replace("SELECT ?", "SELECT 1");
        out.reset();
        out.writeBytes(edited.getBytes(StandardCharsets.UTF_8));
        assertThat(verify().problem()).contains("line 3: prev does not match the hash of line 2: line 2 was edited");
    }
}
