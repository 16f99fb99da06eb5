package io.pgwarden.plugin.audit;

import io.pgwarden.spi.Metrics;
import java.io.IOException;
import java.time.Clock;
import java.util.Objects;

/**
 * The writer thread: drains the queue, renders each event and appends it to the chained file, flushes when the
 * queue runs empty and writes timed checkpoints while idle. An event the file refuses is counted as dropped and
 * the failure logged at most once per {@link AuditQueue#WARNING_INTERVAL_MILLIS}; the next event opens a new
 * file, linked to the last line that reached the old one.
 */
final class AuditWriter implements AutoCloseable {

    private static final long IDLE_POLL_MILLIS = 200;

    private final AuditQueue queue;
    private final EventJson json;
    private final ChainedFile file;
    private final Metrics.Counter droppedCounter;
    private final System.Logger logger;
    private final Clock clock;
    private final Thread thread;
    private volatile boolean running = true;
    private long lastFailureWarning = Long.MIN_VALUE;

    /**
     * A writer, started by {@link #start}.
     *
     * @param queue where events wait
     * @param json renders them
     * @param file where they go
     * @param droppedCounter counts events the file refuses
     * @param logger for failures
     * @param clock the time of records and checkpoints
     */
    AuditWriter(AuditQueue queue, EventJson json, ChainedFile file, Metrics.Counter droppedCounter, System.Logger logger,
                Clock clock) {
        this.queue = Objects.requireNonNull(queue, "queue");
        this.json = Objects.requireNonNull(json, "json");
        this.file = Objects.requireNonNull(file, "file");
        this.droppedCounter = Objects.requireNonNull(droppedCounter, "droppedCounter");
        this.logger = Objects.requireNonNull(logger, "logger");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.thread = new Thread(this::run, "pgwarden-audit-writer");
        thread.setDaemon(true);
    }

    /** Starts the thread. */
    void start() {
        thread.start();
    }

    private void run() {
        guarded(() -> file.open(clock.millis()));
        while (running) {
            try {
                AuditEvent event = queue.poll(IDLE_POLL_MILLIS);
                if (event == null) {
                    guarded(() -> file.tick(clock.millis()));
                    continue;
                }
                while (event != null) {
                    write(event);
                    event = queue.poll();
                }
                guarded(file::flush);
            } catch (InterruptedException e) {
                running = false;
            }
        }
        AuditEvent event = queue.poll();
        while (event != null) {
            write(event);
            event = queue.poll();
        }
        guarded(() -> file.close(clock.millis()));
    }

    private void write(AuditEvent event) {
        String body;
        try {
            body = json.render(event);
        } catch (RuntimeException e) {
            droppedCounter.increment();
            logger.log(System.Logger.Level.ERROR, "audit event of session " + event.session().sessionId()
                    + " could not be rendered and is dropped", e);
            return;
        }
        if (!guarded(() -> file.append(body, clock.millis()))) {
            droppedCounter.increment();
        }
    }

    private boolean guarded(FileAction action) {
        try {
            action.run();
            return true;
        } catch (IOException e) {
            long now = clock.millis();
            if (lastFailureWarning == Long.MIN_VALUE || now - lastFailureWarning >= AuditQueue.WARNING_INTERVAL_MILLIS) {
                lastFailureWarning = now;
                logger.log(System.Logger.Level.ERROR, "audit file cannot be written; events are dropped until it can: " + e);
            }
            return false;
        }
    }

    /** Stops the thread after it has written what is queued, and closes the file with a checkpoint. */
    @Override
    public void close() {
        // No interrupt: it would close the file's channel in the middle of a write; the poll returns within 200 ms.
        running = false;
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** One file operation. */
    @FunctionalInterface
    private interface FileAction {
        void run() throws IOException;
    }
}
