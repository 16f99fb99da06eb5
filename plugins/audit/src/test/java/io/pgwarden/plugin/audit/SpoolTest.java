package io.pgwarden.plugin.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpoolTest {

    private static final byte[] KEY = "spool-test-key-0123456789".getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path dir;

    private final RecordChain chain = new RecordChain(1000, 60_000, KEY);

    private List<String> records(int count) {
        List<String> records = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            records.add(chain.record("\"type\":\"statement\",\"time\":\"2026-11-21T14:00:00Z\",\"text\":\"SELECT\\t'zoë' \\\\ " + i + "\"}"));
        }
        return records;
    }

    private List<Path> files() throws IOException {
        try (Stream<Path> list = Files.list(dir.resolve("spool"))) {
            return list.sorted().toList();
        }
    }

    @Test
    void recordsComeBackInOrderAfterAReopenAsTheyWereWritten() throws IOException {
        Spool spool = new Spool(dir.resolve("spool"), 1 << 20);
        assertThat(spool.isEmpty()).isTrue();
        assertThat(spool.last()).isEmpty();
        List<String> first = records(3);
        List<String> second = records(2);
        spool.append(first);
        spool.append(second);

        Spool reopened = new Spool(dir.resolve("spool"), 1 << 20);
        List<String> all = new ArrayList<>(first);
        all.addAll(second);
        assertThat(reopened.isEmpty()).isFalse();
        assertThat(reopened.oldest()).containsExactlyElementsOf(all);
        assertThat(reopened.last()).contains(second.get(1));
        assertThat(reopened.size()).isEqualTo(spool.size()).isEqualTo(Files.size(files().get(0)));
        assertThat(files()).singleElement().satisfies(file -> assertThat(file.getFileName().toString())
                .isEqualTo("spool-00000000000000000000.jsonl"));

        reopened.removeOldest();
        assertThat(reopened.isEmpty()).isTrue();
        assertThat(reopened.size()).isZero();
        assertThat(files()).isEmpty();
    }

    @Test
    void theDirectoryIsPrivateToTheOwnerAndSoAreTheFiles() throws IOException {
        new Spool(dir.resolve("spool"), 1 << 20).append(records(1));

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("spool")))).isEqualTo("rwx------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(files().get(0)))).isEqualTo("rw-------");
    }

    @Test
    void aLineCutShortByACrashIsRemovedAtOpenAndAppendsContinueCleanly() throws IOException {
        Spool spool = new Spool(dir.resolve("spool"), 1 << 20);
        List<String> written = records(2);
        spool.append(written);
        Files.writeString(files().get(0), "{\"seq\":2,\"prev\":\"ab", StandardOpenOption.APPEND);

        Spool reopened = new Spool(dir.resolve("spool"), 1 << 20);
        assertThat(reopened.last()).contains(written.get(1));
        List<String> more = records(1);
        reopened.append(more);

        assertThat(reopened.oldest()).containsExactly(written.get(0), written.get(1), more.get(0));
    }

    @Test
    void fitsSaysWhetherARecordStaysUnderMaxSize() throws IOException {
        Spool spool = new Spool(dir.resolve("spool"), 1000);
        assertThat(spool.fits(1000)).isTrue();
        assertThat(spool.fits(1001)).isFalse();
        spool.append(records(1));
        long used = spool.size();
        assertThat(spool.fits(1000 - used)).isTrue();
        assertThat(spool.fits(1001 - used)).isFalse();
    }

    @Test
    void aFullSegmentStartsANewFileNamedByItsFirstSeqAndFilesReplayOldestFirst() throws IOException {
        Spool spool = new Spool(dir.resolve("spool"), Long.MAX_VALUE);
        String big = "x".repeat(1 << 20);
        List<String> records = new ArrayList<>();
        for (int i = 0; i < 9; i++) {
            records.add(chain.record("\"type\":\"statement\",\"time\":\"2026-11-21T14:00:00Z\",\"text\":\"" + big + "\"}"));
            spool.append(List.of(records.get(i)));
        }

        assertThat(files()).extracting(f -> f.getFileName().toString())
                .containsExactly("spool-00000000000000000000.jsonl", "spool-00000000000000000008.jsonl");
        assertThat(spool.oldest()).containsExactlyElementsOf(records.subList(0, 8));
        spool.removeOldest();
        assertThat(spool.oldest()).containsExactly(records.get(8));
        assertThat(spool.last()).contains(records.get(8));
    }

    @Test
    void replaySkipsWhatTheTableAlreadyHolds() {
        List<String> spooled = records(5);

        assertThat(TableSink.notIn(spooled, -1)).containsExactlyElementsOf(spooled);
        assertThat(TableSink.notIn(spooled, 2)).containsExactlyElementsOf(spooled.subList(3, 5));
        assertThat(TableSink.notIn(spooled, 4)).isEmpty();
        assertThat(TableSink.notIn(spooled, 99)).isEmpty();
    }
}
