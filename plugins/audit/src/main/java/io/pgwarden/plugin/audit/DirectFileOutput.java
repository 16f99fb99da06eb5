package io.pgwarden.plugin.audit;

import com.sun.nio.file.ExtendedOpenOption;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A new file written with direct I/O ({@code O_DIRECT}): the bytes go from an aligned buffer to the disk without
 * being copied into the page cache. That copy is most of the audit writer's system time, and a steady stream of
 * records that nobody reads soon would otherwise push out of the page cache the pages that PostgreSQL and other
 * programs keep there.
 *
 * <p>Direct I/O writes whole blocks at offsets that are multiples of the block size, and each write goes to the
 * device at once, which costs a request to the device and a wait for it. So the stream writes seldom and much: when
 * its buffer of {@link #BUFFER_SIZE} is full, and at a {@link #flush} once the oldest byte not yet written has waited
 * {@link #TAIL_NANOS}. Such a flush writes the last, partly filled block padded with zeros, truncates the file to the
 * bytes written, and keeps that block to write again with the bytes that follow; the file then holds every byte
 * written. {@link #close} writes everything. {@link #open} falls back to buffered I/O on a file system that refuses
 * direct I/O. Used by one thread.
 */
final class DirectFileOutput extends OutputStream {

    /** The size of the buffer; a full buffer is written at once. */
    static final int BUFFER_SIZE = 1 << 20;
    /** How long written bytes may wait for a flush to hand them to the file. */
    static final long TAIL_NANOS = 200_000_000L;
    /** The largest block size used with direct I/O; larger ones fall back to buffered I/O. */
    private static final int MAX_BLOCK = 1 << 16;

    private final FileChannel channel;
    private final int block;
    /** Aligned to {@link #block}, and its capacity a multiple of it; holds the bytes from {@link #base} on. */
    private final ByteBuffer buffer;
    /** The file offset of the buffer's first byte, a multiple of {@link #block}. */
    private long base;
    /** How many of the buffer's bytes the file already holds. */
    private int flushed;
    /** When the oldest byte the file does not hold yet was written, by {@link System#nanoTime}. */
    private long unwrittenSince;
    private final long tailNanos;

    private DirectFileOutput(FileChannel channel, int block, long tailNanos) {
        this.channel = channel;
        this.block = block;
        this.tailNanos = tailNanos;
        this.buffer = ByteBuffer.allocateDirect(BUFFER_SIZE + block).alignedSlice(block);
    }

    /**
     * Creates a file that must not exist, written with direct I/O where its file system allows it, otherwise through
     * a buffered stream.
     *
     * @param path the file
     * @param tailNanos how long written bytes may wait for a flush; {@link #TAIL_NANOS}
     *                  but in tests
     * @return the stream
     * @throws IOException when the file cannot be created
     */
    static OutputStream open(Path path, long tailNanos) throws IOException {
        OutputStream direct = tryDirect(path, tailNanos);
        return direct != null ? direct
                : new BufferedOutputStream(Files.newOutputStream(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), 1 << 16);
    }

    /**
     * Creates the file for direct I/O and writes one block of zeros to prove that it works, truncating it again.
     *
     * @param path the file, which must not exist
     * @param tailNanos how long written bytes may wait for a flush
     * @return the stream, or {@code null} when the file system refuses direct I/O; the file is then not left behind
     * @throws IOException when the file cannot be created at all
     */
    static DirectFileOutput tryDirect(Path path, long tailNanos) throws IOException {
        FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE).close();
        FileChannel channel = null;
        try {
            long block = Files.getFileStore(path).getBlockSize();
            if (block <= 0 || block > MAX_BLOCK || Long.bitCount(block) != 1) {
                throw new UnsupportedOperationException("block size " + block);
            }
            channel = FileChannel.open(path, StandardOpenOption.WRITE, ExtendedOpenOption.DIRECT);
            DirectFileOutput output = new DirectFileOutput(channel, (int) block, tailNanos);
            output.buffer.limit((int) block);
            output.writeFully();
            channel.truncate(0);
            output.buffer.clear();
            return output;
        } catch (UnsupportedOperationException | IOException e) {
            if (channel != null) {
                channel.close();
            }
            Files.delete(path);
            return null;
        }
    }

    @Override
    public void write(int b) throws IOException {
        unwritten();
        if (!buffer.hasRemaining()) {
            spill();
        }
        buffer.put((byte) b);
    }

    @Override
    public void write(byte[] bytes, int offset, int length) throws IOException {
        unwritten();
        while (length > 0) {
            if (!buffer.hasRemaining()) {
                spill();
            }
            int n = Math.min(length, buffer.remaining());
            buffer.put(bytes, offset, n);
            offset += n;
            length -= n;
        }
    }

    /** Notes when the file started to lack bytes, before they are written. */
    private void unwritten() {
        if (buffer.position() == flushed) {
            unwrittenSince = System.nanoTime();
        }
    }

    /** Writes a full buffer, all whole blocks, and starts it again empty at the offset that follows. */
    private void spill() throws IOException {
        buffer.flip();
        writeFully();
        base += buffer.limit();
        buffer.clear();
        flushed = 0;
    }

    /**
     * Writes every byte written so far to the file once the oldest of them has waited {@link #TAIL_NANOS}; before that,
     * nothing.
     *
     * @throws IOException when the file cannot be written
     */
    @Override
    public void flush() throws IOException {
        if (buffer.position() != flushed && System.nanoTime() - unwrittenSince >= tailNanos) {
            writeAll();
        }
    }

    /**
     * Writes every byte written so far: the whole blocks, then the last, partly filled block padded with zeros, and
     * truncates the file after the last byte. That block stays at the start of the buffer.
     */
    private void writeAll() throws IOException {
        int length = buffer.position();
        int tail = length % block;
        int padded = tail == 0 ? length : length - tail + block;
        for (int i = length; i < padded; i++) {
            buffer.put(i, (byte) 0);
        }
        buffer.position(0).limit(padded);
        writeFully();
        if (tail != 0) {
            channel.truncate(base + length);
        }
        int whole = length - tail;
        buffer.limit(buffer.capacity());
        buffer.put(0, buffer, whole, tail);
        buffer.position(tail);
        base += whole;
        flushed = tail;
    }

    /** Writes the buffer from its position to its limit at the same offsets of the file. */
    private void writeFully() throws IOException {
        long position = base + buffer.position();
        while (buffer.hasRemaining()) {
            position += channel.write(buffer, position);
        }
    }

    /**
     * Writes every byte written and closes the file.
     *
     * @throws IOException when the last bytes cannot be written; the file is closed all the same
     */
    @Override
    public void close() throws IOException {
        try (FileChannel closing = channel) {
            if (buffer.position() != flushed) {
                writeAll();
            }
        }
    }
}
