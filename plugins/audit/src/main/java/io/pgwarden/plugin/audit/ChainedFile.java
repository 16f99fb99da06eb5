package io.pgwarden.plugin.audit;

import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestException;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A JSON Lines file whose records form a hash chain (docs/audit.md, "File format"): every line starts with
 * {@code {"seq":N,"prev":"H",} where H is the hex SHA-256 of the previous line's bytes; the first line is a
 * header whose {@code prev} is the last hash of the previous file, so the chain runs across rotations and
 * restarts. A checkpoint line carries an HMAC-SHA256 of the chain head every {@code checkpointRecords} records,
 * every {@code checkpointMillis} and when the file is closed. The file is rotated (renamed with a UTC time stamp)
 * when the next line and a closing checkpoint would pass {@code maxSize} bytes or the file is older than {@code maxAgeMillis}. Written
 * with direct I/O where the file system allows it ({@link DirectFileOutput}). Used by the writer thread only.
 */
final class ChainedFile implements AuditSink {

    /** The {@code prev} of the very first header: 64 zeros. */
    static final String GENESIS = "0".repeat(64);
    /** Room kept for the checkpoint that closes a file, so a rotated file stays within max_size. */
    static final int CHECKPOINT_RESERVE = 256;
    private static final byte[] SEQ = "{\"seq\":".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] PREV = ",\"prev\":\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    /** Room for the prefix with the longest seq (19 digits) and the hash. */
    private static final int PREFIX_ROOM = 7 + 19 + 9 + 64 + 2;
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmssSSS'Z'").withZone(ZoneOffset.UTC);

    private final Path path;
    private final String stream;
    private final long maxSize;
    private final long maxAgeMillis;
    private final int checkpointRecords;
    private final long checkpointMillis;
    private final long tailNanos;
    private final Mac mac;
    private final MessageDigest sha256;

    private OutputStream out;
    /** The hex SHA-256 of the last line written, in ASCII: the next line's {@code prev}. */
    private final byte[] lastHash = GENESIS.getBytes(StandardCharsets.US_ASCII);
    private final byte[] digest = new byte[32];
    /** The start of a line up to its body, {@code {"seq":N,"prev":"H",}, rebuilt for each line. */
    private final byte[] prefix = new byte[PREFIX_ROOM];
    private String previousFile;
    private long seq;
    private long size;
    private long openedMillis;
    private long recordsSinceCheckpoint;
    private long checkpointedMillis;

    /**
     * A file that is opened by {@link #open} or the first {@link #append}.
     *
     * @param path the file
     * @param stream the stream name for the headers
     * @param maxSize the size limit in bytes
     * @param maxAgeMillis the age limit
     * @param checkpointRecords records between checkpoints
     * @param checkpointMillis the longest time between a record and its checkpoint
     * @param checkpointKey the HMAC key
     * @param tailNanos how long written lines may wait for a flush under direct I/O
     *                  ({@link DirectFileOutput#TAIL_NANOS}; 0 in tests, for files that hold every line after a flush)
     */
    ChainedFile(Path path, String stream, long maxSize, long maxAgeMillis, int checkpointRecords, long checkpointMillis,
                byte[] checkpointKey, long tailNanos) {
        this.path = Objects.requireNonNull(path, "path");
        this.stream = Objects.requireNonNull(stream, "stream");
        this.maxSize = maxSize;
        this.maxAgeMillis = maxAgeMillis;
        this.checkpointRecords = checkpointRecords;
        this.checkpointMillis = checkpointMillis;
        this.tailNanos = tailNanos;
        try {
            this.sha256 = MessageDigest.getInstance("SHA-256");
            this.mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(checkpointKey, "HmacSHA256"));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("SHA-256 or HMAC-SHA256 is unavailable", e);
        }
    }

    @Override
    public String name() {
        return "file";
    }

    /**
     * Opens the file and writes its header, moving an earlier file aside.
     *
     * @param nowMillis the time
     * @throws IOException when the file cannot be created
     */
    @Override
    public void open(long nowMillis) throws IOException {
        try {
            ensureOpen(nowMillis);
        } catch (IOException e) {
            abandon();
            throw e;
        }
    }

    /**
     * Appends one record, rotating first when the size or age limit says so.
     *
     * @param body the record's fields after {@code prev}, from {@code "type"} to the closing brace, in UTF-8
     * @param length how many bytes of {@code body} are the record's
     * @param nowMillis the time
     * @throws IOException when the file cannot be written; the next append starts a new file
     */
    @Override
    public void append(byte[] body, int length, long nowMillis) throws IOException {
        try {
            ensureOpen(nowMillis);
            int prefixLength = buildPrefix();
            if (seq > 1 && (size + prefixLength + length + 1 + CHECKPOINT_RESERVE > maxSize
                    || nowMillis - openedMillis >= maxAgeMillis)) {
                rotate(nowMillis);
                prefixLength = buildPrefix();
            }
            writeLine(prefixLength, body, length);
            recordsSinceCheckpoint++;
            if (recordsSinceCheckpoint >= checkpointRecords) {
                checkpoint(nowMillis);
            }
        } catch (IOException e) {
            abandon();
            throw e;
        }
    }

    /**
     * Writes a checkpoint when records were written and the checkpoint interval has passed, rotates a file that has
     * grown too old, and flushes; called when the writer is idle, so that the last lines of a burst and a timed
     * checkpoint reach the file without waiting for more events.
     *
     * @param nowMillis the time
     * @throws IOException when the file cannot be written
     */
    @Override
    public void tick(long nowMillis) throws IOException {
        if (out == null) {
            return;
        }
        try {
            if (recordsSinceCheckpoint > 0 && nowMillis - checkpointedMillis >= checkpointMillis) {
                checkpoint(nowMillis);
            }
            if (seq > 1 && nowMillis - openedMillis >= maxAgeMillis) {
                rotate(nowMillis);
            }
            out.flush();
        } catch (IOException e) {
            abandon();
            throw e;
        }
    }

    /**
     * Hands the written lines to the file: at once through the page cache; under direct I/O, once the oldest has
     * waited {@code tailNanos} (a full buffer is written without waiting for a flush).
     *
     * @throws IOException when that fails
     */
    @Override
    public void flush() throws IOException {
        if (out != null) {
            out.flush();
        }
    }

    /**
     * Writes a closing checkpoint and closes the file.
     *
     * @param nowMillis the time
     * @throws IOException when that fails
     */
    @Override
    public void close(long nowMillis) throws IOException {
        if (out == null) {
            return;
        }
        try {
            if (recordsSinceCheckpoint > 0) {
                checkpoint(nowMillis);
            }
            out.close();
        } finally {
            out = null;
        }
    }

    private void ensureOpen(long nowMillis) throws IOException {
        if (out != null) {
            return;
        }
        if (Files.isRegularFile(path) && Files.size(path) > 0) {
            // A file left by an earlier run or a failed write: keep it, link to its last line.
            hash(lastLine(path));
            previousFile = moveAside(nowMillis);
        }
        Path parent = path.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        out = DirectFileOutput.open(path, tailNanos);
        seq = 0;
        size = 0;
        openedMillis = nowMillis;
        checkpointedMillis = nowMillis;
        recordsSinceCheckpoint = 0;
        StringBuilder header = new StringBuilder(200).append("\"type\":\"header\",\"time\":\"")
                .append(Instant.ofEpochMilli(nowMillis)).append("\",\"stream\":");
        quote(header, stream);
        header.append(",\"format\":1,\"previous_file\":");
        if (previousFile == null) {
            header.append("null");
        } else {
            quote(header, previousFile);
        }
        write(header.append('}').toString().getBytes(StandardCharsets.UTF_8));
    }

    private void rotate(long nowMillis) throws IOException {
        close(nowMillis);
        previousFile = moveAside(nowMillis);
        ensureOpen(nowMillis);
    }

    private String moveAside(long nowMillis) throws IOException {
        String base = path.getFileName() + "." + STAMP.format(Instant.ofEpochMilli(nowMillis));
        Path target = path.resolveSibling(base);
        for (int i = 1; Files.exists(target); i++) {
            target = path.resolveSibling(base + "-" + i);
        }
        Files.move(path, target);
        return target.getFileName().toString();
    }

    private void checkpoint(long nowMillis) throws IOException {
        byte[] tag = mac.doFinal((seq + ":" + new String(lastHash, StandardCharsets.US_ASCII)).getBytes(StandardCharsets.US_ASCII));
        write(("\"type\":\"checkpoint\",\"time\":\"" + Instant.ofEpochMilli(nowMillis) + "\",\"mac\":\""
                + HexFormat.of().formatHex(tag) + "\"}").getBytes(StandardCharsets.UTF_8));
        recordsSinceCheckpoint = 0;
        checkpointedMillis = nowMillis;
    }

    /**
     * Writes {@code {"seq":N,"prev":"H",} for the next line into {@link #prefix}.
     *
     * @return its length
     */
    private int buildPrefix() {
        int at = put(SEQ, 0);
        String number = Long.toString(seq);
        for (int i = 0; i < number.length(); i++) {
            prefix[at++] = (byte) number.charAt(i);
        }
        at = put(PREV, at);
        at = put(lastHash, at);
        prefix[at++] = '"';
        prefix[at++] = ',';
        return at;
    }

    private int put(byte[] bytes, int at) {
        System.arraycopy(bytes, 0, prefix, at, bytes.length);
        return at + bytes.length;
    }

    /** Writes one line after the chain's head, and moves the chain on. */
    private void write(byte[] body) throws IOException {
        writeLine(buildPrefix(), body, body.length);
    }

    /** Writes one line, the prefix {@link #buildPrefix} built then {@code length} bytes of body, and moves the chain on. */
    private void writeLine(int prefixLength, byte[] body, int length) throws IOException {
        out.write(prefix, 0, prefixLength);
        out.write(body, 0, length);
        out.write('\n');
        size += prefixLength + length + 1;
        seq++;
        sha256.update(prefix, 0, prefixLength);
        sha256.update(body, 0, length);
        finishHash();
    }

    /** Makes {@link #lastHash} the hash of a whole line. */
    private void hash(byte[] line) {
        sha256.update(line);
        finishHash();
    }

    private void finishHash() {
        try {
            sha256.digest(digest, 0, digest.length);
        } catch (DigestException e) {
            throw new IllegalStateException("SHA-256 gives 32 bytes", e);
        }
        for (int i = 0; i < digest.length; i++) {
            lastHash[2 * i] = HEX[(digest[i] >> 4) & 0xf];
            lastHash[2 * i + 1] = HEX[digest[i] & 0xf];
        }
    }

    private void abandon() {
        if (out != null) {
            try {
                out.close();
            } catch (IOException ignored) {
                // The write already failed; the next append starts a new file linked to this one's last line.
            }
            out = null;
        }
    }

    /**
     * The bytes of the last non-empty line, without its newline. Zero bytes at the end are skipped too: they are the
     * padding of a direct write whose truncation a killed process did not reach ({@link DirectFileOutput}), never part
     * of a line (JSON escapes control characters).
     */
    private static byte[] lastLine(Path file) throws IOException {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
            long end = raf.length();
            while (end > 0 && trailing(readAt(raf, end - 1))) {
                end--;
            }
            long start = end;
            while (start > 0 && readAt(raf, start - 1) != '\n') {
                start--;
            }
            byte[] line = new byte[Math.toIntExact(end - start)];
            raf.seek(start);
            raf.readFully(line);
            return line;
        }
    }

    /** A newline, or a zero byte of padding. */
    private static boolean trailing(int b) {
        return b == '\n' || b == 0;
    }

    private static int readAt(RandomAccessFile raf, long position) throws IOException {
        raf.seek(position);
        return raf.read();
    }

    private static void quote(StringBuilder out, String value) {
        out.append('"').append(value.replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
    }
}
