package io.pgwarden.plugin.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DirectFileOutputTest {

    @TempDir
    Path dir;

    /** A direct stream whose every flush writes every byte, or the test is skipped on a file system that refuses direct I/O. */
    private DirectFileOutput direct(Path path) throws IOException {
        return direct(path, 0);
    }

    private DirectFileOutput direct(Path path, long tailNanos) throws IOException {
        DirectFileOutput output = DirectFileOutput.tryDirect(path, tailNanos);
        assumeTrue(output != null, "the file system of " + dir + " refuses direct I/O");
        return output;
    }

    @Test
    void afterEveryFlushTheFileHoldsExactlyTheBytesWritten() throws IOException {
        Path path = dir.resolve("a.jsonl");
        Random random = new Random(7);
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        try (DirectFileOutput output = direct(path)) {
            assertThat(path).isEmptyFile();
            // Lines of odd lengths, so that flushes end mid-block, on a block boundary, and after several blocks.
            for (int round = 0; round < 60; round++) {
                int lines = 1 + random.nextInt(40);
                for (int i = 0; i < lines; i++) {
                    byte[] line = line(random, 1 + random.nextInt(700));
                    output.write(line);
                    expected.write(line);
                }
                if (round == 30) {
                    int toBoundary = 4096 - expected.size() % 4096;
                    byte[] fill = line(random, toBoundary);
                    output.write(fill);
                    expected.write(fill);
                }
                output.flush();
                assertThat(Files.readAllBytes(path)).isEqualTo(expected.toByteArray());
            }
        }
        assertThat(Files.readAllBytes(path)).isEqualTo(expected.toByteArray());
    }

    @Test
    void writesMoreThanItsBufferBetweenFlushesAndOneByteAtATime() throws IOException {
        Path path = dir.resolve("b.jsonl");
        Random random = new Random(11);
        byte[] big = line(random, 3 * DirectFileOutput.BUFFER_SIZE + 1234);
        try (DirectFileOutput output = direct(path)) {
            output.write('x');
            output.flush();
            assertThat(Files.readAllBytes(path)).containsExactly('x');
            output.write(big, 0, big.length);
            for (byte b : "tail\n".getBytes()) {
                output.write(b);
            }
        }
        byte[] file = Files.readAllBytes(path);
        assertThat(file).hasSize(1 + big.length + 5);
        assertThat(file[0]).isEqualTo((byte) 'x');
        assertThat(java.util.Arrays.copyOfRange(file, 1, 1 + big.length)).isEqualTo(big);
        assertThat(new String(file, 1 + big.length, 5)).isEqualTo("tail\n");
    }

    @Test
    void aFlushWithNothingNewLeavesTheFileAsItIs() throws IOException {
        Path path = dir.resolve("c.jsonl");
        try (DirectFileOutput output = direct(path)) {
            output.write("one\n".getBytes());
            output.flush();
            // An old time, so that any write by the second flush would show, however soon it came.
            Files.setLastModifiedTime(path, FileTime.fromMillis(0));
            output.flush();
            assertThat(Files.readString(path)).isEqualTo("one\n");
            assertThat(Files.getLastModifiedTime(path).toMillis()).isZero();
        }
    }

    @Test
    void writesNothingBeforeItIsDueButAFullBufferAndCloseWritesTheRest() throws IOException {
        Path path = dir.resolve("f.jsonl");
        Random random = new Random(13);
        byte[] first = line(random, 5000);
        byte[] second = line(random, DirectFileOutput.BUFFER_SIZE);
        try (DirectFileOutput output = direct(path, Long.MAX_VALUE)) {
            output.write(first);
            output.flush();
            assertThat(path).isEmptyFile();
            output.write(second);
            output.flush();
            byte[] file = Files.readAllBytes(path);
            assertThat(file).hasSize(DirectFileOutput.BUFFER_SIZE);
            assertThat(java.util.Arrays.copyOf(file, first.length)).isEqualTo(first);
        }
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        all.write(first);
        all.write(second);
        assertThat(Files.readAllBytes(path)).isEqualTo(all.toByteArray());
    }

    @Test
    void bytesAreWrittenByTheFirstFlushAfterTheyAreDue() throws Exception {
        Path path = dir.resolve("g.jsonl");
        try (DirectFileOutput output = direct(path, 50_000_000L)) {
            output.write("waits\n".getBytes());
            output.flush();
            assertThat(path).isEmptyFile();
            Thread.sleep(60);
            output.flush();
            assertThat(Files.readString(path)).isEqualTo("waits\n");
        }
    }

    @Test
    void refusesAFileThatExistsAndLeavesItAlone() throws IOException {
        Path path = dir.resolve("d.jsonl");
        Files.writeString(path, "kept\n");
        assertThatThrownBy(() -> DirectFileOutput.open(path, 0)).isInstanceOf(FileAlreadyExistsException.class);
        assertThat(Files.readString(path)).isEqualTo("kept\n");
    }

    @Test
    void opensWithDirectIoWhereTheFileSystemAllowsIt() throws IOException {
        Path path = dir.resolve("e.jsonl");
        assumeTrue(probe(dir.resolve("probe")), "the file system of " + dir + " refuses direct I/O");
        try (OutputStream output = DirectFileOutput.open(path, 0)) {
            assertThat(output).isInstanceOf(DirectFileOutput.class);
        }
    }

    private static boolean probe(Path path) throws IOException {
        DirectFileOutput output = DirectFileOutput.tryDirect(path, 0);
        if (output != null) {
            output.close();
        }
        return output != null;
    }

    /** Printable bytes ending in a newline. */
    private static byte[] line(Random random, int length) {
        byte[] line = new byte[length];
        for (int i = 0; i < length - 1; i++) {
            line[i] = (byte) (' ' + random.nextInt(95));
        }
        line[length - 1] = '\n';
        return line;
    }
}
