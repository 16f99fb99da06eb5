package io.pgwarden.plugin.audit;

import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The disk spool of the table sink: chained records that could not be copied to the table, in order, in
 * append-only files {@code spool-SEQ.jsonl} (SEQ, 20 digits, the first record's seq) of one record per line, in a
 * directory of mode 0700 with files of mode 0600. A file's lines are the records exactly as they go to the table.
 * A line cut short by a crash is removed when the spool opens. Used by the table sink's thread only.
 */
final class Spool {

    /** The size at which a new spool file starts, so replayed files can be deleted one by one. */
    static final long SEGMENT_SIZE = 8L << 20;
    private static final String PREFIX = "spool-";
    private static final String SUFFIX = ".jsonl";

    private final Path directory;
    private final long maxSize;
    private final TreeMap<Long, Path> files = new TreeMap<>();
    private long size;
    private long activeSize;

    /**
     * Opens the spool, creating its directory, and takes stock of the files an earlier run left.
     *
     * @param directory the directory
     * @param maxSize the most bytes all spool files may hold
     * @throws IOException when the directory cannot be created or read
     */
    Spool(Path directory, long maxSize) throws IOException {
        this.directory = Objects.requireNonNull(directory, "directory");
        this.maxSize = maxSize;
        if (posix()) {
            Files.createDirectories(directory, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            Files.setPosixFilePermissions(directory, PosixFilePermissions.fromString("rwx------"));
        } else {
            Files.createDirectories(directory);
        }
        try (Stream<Path> list = Files.list(directory)) {
            for (Path file : list.toList()) {
                String name = file.getFileName().toString();
                if (name.matches(PREFIX + "[0-9]{20}" + SUFFIX.replace(".", "\\."))) {
                    files.put(Long.parseLong(name.substring(PREFIX.length(), PREFIX.length() + 20)), file);
                }
            }
        }
        if (!files.isEmpty()) {
            cutPartialLine(files.lastEntry().getValue());
        }
        for (Path file : files.values()) {
            size += Files.size(file);
        }
        activeSize = files.isEmpty() ? 0 : Files.size(files.lastEntry().getValue());
    }

    /**
     * Whether no records wait.
     *
     * @return true when empty
     */
    boolean isEmpty() {
        return files.isEmpty();
    }

    /**
     * Whether a record of this many bytes still fits under the size limit.
     *
     * @param bytes its size, newline included
     * @return true when it fits
     */
    boolean fits(long bytes) {
        return size + bytes <= maxSize;
    }

    /**
     * Appends records, in order, to the newest file, starting a new one past {@link #SEGMENT_SIZE}.
     *
     * @param records chained records
     * @throws IOException when the file cannot be written
     */
    void append(List<String> records) throws IOException {
        if (records.isEmpty()) {
            return;
        }
        if (files.isEmpty() || activeSize >= SEGMENT_SIZE) {
            long first = CopyText.seq(records.get(0));
            Path file = directory.resolve(PREFIX + String.format("%020d", first) + SUFFIX);
            if (posix()) {
                Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } else {
                Files.createFile(file);
            }
            files.put(first, file);
            activeSize = 0;
        }
        StringBuilder text = new StringBuilder();
        for (String record : records) {
            text.append(record).append('\n');
        }
        byte[] bytes = text.toString().getBytes(StandardCharsets.UTF_8);
        try (OutputStream out = Files.newOutputStream(files.lastEntry().getValue(), StandardOpenOption.APPEND)) {
            out.write(bytes);
        }
        size += bytes.length;
        activeSize += bytes.length;
    }

    /**
     * The records of the oldest file, in order.
     *
     * @return them, empty when the spool is empty
     * @throws IOException when the file cannot be read
     */
    List<String> oldest() throws IOException {
        if (files.isEmpty()) {
            return List.of();
        }
        return lines(files.firstEntry().getValue());
    }

    /**
     * Deletes the oldest file, once its records reached the table.
     *
     * @throws IOException when it cannot be deleted
     */
    void removeOldest() throws IOException {
        if (files.isEmpty()) {
            return;
        }
        Path file = files.firstEntry().getValue();
        long bytes = Files.size(file);
        Files.delete(file);
        files.pollFirstEntry();
        size -= bytes;
        if (files.isEmpty()) {
            activeSize = 0;
            size = 0;
        }
    }

    /**
     * The last record spooled, to continue the chain after it.
     *
     * @return the record, empty when the spool is empty
     * @throws IOException when the file cannot be read
     */
    Optional<String> last() throws IOException {
        for (Path file : files.descendingMap().values()) {
            List<String> lines = lines(file);
            if (!lines.isEmpty()) {
                return Optional.of(lines.get(lines.size() - 1));
            }
        }
        return Optional.empty();
    }

    /**
     * The bytes the spool files hold.
     *
     * @return the size
     */
    long size() {
        return size;
    }

    private static List<String> lines(Path file) throws IOException {
        String text = Files.readString(file, StandardCharsets.UTF_8);
        List<String> lines = new ArrayList<>();
        int start = 0;
        for (int end = text.indexOf('\n'); end >= 0; end = text.indexOf('\n', start)) {
            lines.add(text.substring(start, end));
            start = end + 1;
        }
        return lines;
    }

    private static void cutPartialLine(Path file) throws IOException {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            long end = raf.length();
            while (end > 0) {
                raf.seek(end - 1);
                if (raf.read() == '\n') {
                    break;
                }
                end--;
            }
            raf.setLength(end);
        }
    }

    private static boolean posix() {
        return FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
    }
}
