package io.pgwarden.plugin.audit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The {@code table} sink: a stream of chained records in a PostgreSQL table, written in batches by COPY on a thread
 * of its own (docs/audit.md, "Table sink"). The writer thread only offers events to a bounded queue, so a slow or
 * dead database never holds up the hooks or the other sinks. When a COPY fails, that batch and every later record go
 * to the {@link Spool}; retries with a backoff doubling up to {@link #MAX_BACKOFF_MILLIS} replay it in order,
 * skipping records the table already holds, and then writing goes direct again.
 */
final class TableSink implements AuditSink {

    /** The longest wait between two attempts to reach the database. */
    static final long MAX_BACKOFF_MILLIS = 5_000;
    static final long FIRST_BACKOFF_MILLIS = 100;
    /** Room for the seq and prev that chaining adds to an event's body, and the newline. */
    private static final int CHAIN_PREFIX_BYTES = 120;

    private final AuditTable table;
    private final Spool spool;
    private final RecordChain chain;
    private final String stream;
    private final int batchSize;
    private final long flushIntervalMillis;
    private final DropReport drops;
    private final System.Logger logger;
    private final Clock clock;
    private final BlockingQueue<String> queue;
    /** The memory the queued records hold, at two bytes a character. */
    private final MemoryBound memory;
    private final CountDownLatch stopping = new CountDownLatch(1);
    private final Thread thread;

    private boolean started;
    private boolean spooling;
    private long backoffMillis = FIRST_BACKOFF_MILLIS;
    private long retryAtMillis;
    private long lastErrorLog = Long.MIN_VALUE;

    /**
     * A sink, started by {@link #open}.
     *
     * @param table the table
     * @param spool the spool
     * @param chain the stream's chain
     * @param stream the stream name
     * @param queueSize the most events waiting for the sink's thread
     * @param queueMemory the most memory they may hold, at two bytes a character
     * @param batchSize the most records per COPY
     * @param flushIntervalMillis the longest an event waits for its batch to fill
     * @param drops counts what the sink drops
     * @param logger for failures
     * @param clock the time of checkpoints and retries
     */
    TableSink(AuditTable table, Spool spool, RecordChain chain, String stream, int queueSize, long queueMemory, int batchSize,
              long flushIntervalMillis,
              DropReport drops, System.Logger logger, Clock clock) {
        this.table = Objects.requireNonNull(table, "table");
        this.spool = Objects.requireNonNull(spool, "spool");
        this.chain = Objects.requireNonNull(chain, "chain");
        this.stream = Objects.requireNonNull(stream, "stream");
        this.batchSize = batchSize;
        this.flushIntervalMillis = flushIntervalMillis;
        this.drops = Objects.requireNonNull(drops, "drops");
        this.logger = Objects.requireNonNull(logger, "logger");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.queue = new ArrayBlockingQueue<>(queueSize);
        this.memory = new MemoryBound(queueMemory);
        this.thread = new Thread(this::run, "pgwarden-audit-table");
        thread.setDaemon(true);
    }

    @Override
    public String name() {
        return "table";
    }

    @Override
    public void open(long nowMillis) {
        thread.start();
    }

    @Override
    public void append(byte[] bytes, int length, long nowMillis) {
        String body = new String(bytes, 0, length, StandardCharsets.UTF_8);
        long weight = weight(body);
        if (memory.reserve(weight)) {
            if (queue.offer(body)) {
                return;
            }
            memory.release(weight);
        }
        drops.dropped(1, "its queue is full (the audit database is slower than the traffic)");
    }

    private static long weight(String body) {
        return 64 + 2L * body.length();
    }

    @Override
    public void flush() {
        // The sink's thread flushes by batch_size and flush_interval.
    }

    @Override
    public void tick(long nowMillis) {
        // The sink's thread writes its own checkpoints.
    }

    /** Stops the thread after it has written (or spooled) what is queued with a closing checkpoint. */
    @Override
    public void close(long nowMillis) {
        stopping.countDown();
        try {
            thread.join(30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        try {
            while (true) {
                boolean stop = stopping.getCount() == 0;
                if (!started && !start(stop)) {
                    if (stop) {
                        drops.dropped(queue.size(), "the audit database could not be reached before shutdown to continue the stream");
                        return;
                    }
                    pause();
                    continue;
                }
                List<String> bodies = take(stop);
                long now = clock.millis();
                List<String> records = new ArrayList<>(bodies.size() + 2);
                for (String body : bodies) {
                    if (spooling && !spool.fits(body.getBytes(StandardCharsets.UTF_8).length + CHAIN_PREFIX_BYTES)) {
                        drops.dropped(1, "the audit database is unreachable and the spool is full (spool.max_size)");
                        continue;
                    }
                    records.add(chain.record(body));
                    if (chain.checkpointDue(now)) {
                        records.add(chain.checkpoint(now));
                    }
                }
                boolean last = stop && queue.isEmpty();
                if (last ? chain.uncheckpointed() : chain.checkpointDue(now)) {
                    records.add(chain.checkpoint(now));
                }
                deliver(records, now);
                if (spooling && now >= retryAtMillis) {
                    replay(now);
                }
                if (last) {
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            logger.log(System.Logger.Level.ERROR, "audit table sink stopped; its events are dropped from now on", e);
        } finally {
            table.disconnect();
        }
    }

    /** Finds where the stream continues: after the spool's last record, or else the table's; writes the header. */
    private boolean start(boolean stop) throws InterruptedException {
        try {
            Optional<String> last = spool.last();
            if (last.isPresent()) {
                spooling = true;
            } else {
                last = table.lastRecord();
            }
            last.ifPresent(record -> chain.continueAfter(CopyText.seq(record), record.getBytes(StandardCharsets.UTF_8)));
            started = true;
            deliver(List.of(chain.header(clock.millis(), stream)), clock.millis());
            return true;
        } catch (IOException | SQLException | IllegalArgumentException e) {
            failure("cannot find where the audit stream " + stream + " continues; events wait in memory until the audit database can be reached",
                    e);
            backOff(clock.millis());
            return false;
        }
    }

    /** Takes the next batch off the queue and releases the memory it was counted with. */
    private List<String> take(boolean stop) throws InterruptedException {
        List<String> bodies = batch(stop);
        long weight = 0;
        for (String body : bodies) {
            weight += weight(body);
        }
        memory.release(weight);
        return bodies;
    }

    private List<String> batch(boolean stop) throws InterruptedException {
        List<String> bodies = new ArrayList<>();
        if (stop) {
            queue.drainTo(bodies, batchSize);
            return bodies;
        }
        long wait = spooling ? Math.max(1, Math.min(flushIntervalMillis, retryAtMillis - clock.millis())) : flushIntervalMillis;
        String first = queue.poll(wait, TimeUnit.MILLISECONDS);
        if (first == null) {
            return bodies;
        }
        bodies.add(first);
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(flushIntervalMillis);
        while (bodies.size() < batchSize && stopping.getCount() > 0) {
            long left = deadline - System.nanoTime();
            String next = left > 0 ? queue.poll(left, TimeUnit.NANOSECONDS) : queue.poll();
            if (next == null) {
                break;
            }
            bodies.add(next);
        }
        return bodies;
    }

    private void deliver(List<String> records, long now) {
        if (records.isEmpty()) {
            return;
        }
        if (!spooling) {
            try {
                table.copy(records);
                return;
            } catch (SQLException e) {
                failure("COPY to the audit table failed; records go to the spool until it succeeds again", e);
                spooling = true;
                backoffMillis = FIRST_BACKOFF_MILLIS;
                retryAtMillis = now + backoffMillis;
            }
        }
        try {
            spool.append(records);
        } catch (IOException e) {
            // The chain of these records is broken either way; a verify of the table will show the gap.
            drops.dropped(records.size(), "the spool cannot be written: " + e.getMessage());
        }
    }

    /** Copies the oldest spool file to the table, skipping what it already holds; back to direct writing once empty. */
    private void replay(long now) {
        try {
            List<String> missing = notIn(spool.oldest(), table.maxSeq());
            for (int from = 0; from < missing.size(); from += batchSize) {
                table.copy(missing.subList(from, Math.min(missing.size(), from + batchSize)));
            }
            spool.removeOldest();
            if (spool.isEmpty()) {
                spooling = false;
                backoffMillis = FIRST_BACKOFF_MILLIS;
                lastErrorLog = Long.MIN_VALUE;
                logger.log(System.Logger.Level.INFO, "audit table sink: spool replayed, writing to the table again");
            }
        } catch (SQLException | IOException | IllegalArgumentException e) {
            failure("replaying the audit spool failed; retrying", e);
            backOff(now);
        }
    }

    /**
     * The spooled records the table does not hold yet: those after its highest seq. A COPY that committed but whose
     * answer was lost leaves its records both in the table and in the spool; this keeps them from being copied twice.
     *
     * @param spooled records in seq order
     * @param tableMaxSeq the table's highest seq of the stream, -1 when it has none
     * @return the records to copy, in order
     */
    static List<String> notIn(List<String> spooled, long tableMaxSeq) {
        List<String> missing = new ArrayList<>(spooled.size());
        for (String record : spooled) {
            if (CopyText.seq(record) > tableMaxSeq) {
                missing.add(record);
            }
        }
        return missing;
    }

    private void backOff(long now) {
        retryAtMillis = now + backoffMillis;
        backoffMillis = Math.min(backoffMillis * 2, MAX_BACKOFF_MILLIS);
    }

    /** Waits for the next attempt, or until the sink is closed. */
    private void pause() throws InterruptedException {
        long wait = retryAtMillis - clock.millis();
        if (wait > 0) {
            stopping.await(wait, TimeUnit.MILLISECONDS);
        }
    }

    private void failure(String what, Exception e) {
        long now = clock.millis();
        if (lastErrorLog == Long.MIN_VALUE || now - lastErrorLog >= AuditQueue.WARNING_INTERVAL_MILLIS) {
            lastErrorLog = now;
            logger.log(System.Logger.Level.ERROR, what + ": " + e.getMessage());
        }
    }
}
