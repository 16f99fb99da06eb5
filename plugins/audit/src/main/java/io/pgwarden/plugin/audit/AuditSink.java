package io.pgwarden.plugin.audit;

import java.io.IOException;

/**
 * One destination of the audit records, with a hash chain of its own. The writer thread calls every method; a sink
 * whose destination may be slow hands records to a thread of its own and returns at once.
 */
interface AuditSink {

    /**
     * The sink's name in the {@code sink} tag of {@code pgwarden.audit.dropped} and in log lines.
     *
     * @return {@code file}, {@code stdout} or {@code table}
     */
    String name();

    /**
     * Starts the sink: writes the header.
     *
     * @param nowMillis the time
     * @throws IOException when the destination cannot be written
     */
    void open(long nowMillis) throws IOException;

    /**
     * Adds one event.
     *
     * @param body the event's fields from {@code "type"} to the closing brace, in UTF-8, from index 0; the renderer
     *             reuses the array once this returns, so a sink that keeps the event copies it
     * @param length how many bytes of {@code body} are the event's
     * @param nowMillis the time
     * @throws IOException when the destination refuses it; the event is counted as dropped by the caller
     */
    void append(byte[] body, int length, long nowMillis) throws IOException;

    /**
     * Called when the queue has run empty: hands what was written on.
     *
     * @throws IOException when that fails
     */
    void flush() throws IOException;

    /**
     * Called while the writer is idle: writes a checkpoint that is due.
     *
     * @param nowMillis the time
     * @throws IOException when that fails
     */
    void tick(long nowMillis) throws IOException;

    /**
     * Writes a closing checkpoint and releases the destination.
     *
     * @param nowMillis the time
     * @throws IOException when that fails
     */
    void close(long nowMillis) throws IOException;
}
