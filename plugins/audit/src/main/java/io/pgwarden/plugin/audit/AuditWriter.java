package io.pgwarden.plugin.audit;

import java.io.IOException;
import java.time.Clock;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.locks.LockSupport;

/**
 * The writer thread: drains the queue, renders each event once and appends it to every sink, flushes the sinks when
 * the queue runs empty and lets them write timed checkpoints while idle. While events keep coming it naps 10 ms
 * between drains instead of being woken by each one; idle, it waits on the queue. An event a sink refuses is counted as
 * dropped for that sink ({@code pgwarden.audit.dropped{sink=NAME}}) and the failure logged at most once per
 * {@link AuditQueue#WARNING_INTERVAL_MILLIS}; the other sinks still get it.
 */
final class AuditWriter implements AutoCloseable {

    private static final long IDLE_POLL_MILLIS = 200;
    /**
     * While events keep coming (the last one less than this ago), the writer naps {@link #NAP_NANOS} between drains
     * rather than waiting on the queue: a waiting writer makes every offer of the hooks wake it, a system call per event
     * on the session's event loop and another on the writer's; and each drain ends with a write to the file, so the
     * nap also sets how many events a write carries. It bounds how long an event waits to be written.
     */
    private static final long BUSY_NANOS = 1_000_000_000L;
    private static final long NAP_NANOS = 10_000_000L;

    private final AuditQueue queue;
    private final EventJson json;
    private final List<AuditSink> sinks;
    private final Map<AuditSink, DropReport> drops;
    private final System.Logger logger;
    private final Clock clock;
    private final Thread thread;
    private final long[] lastFailureWarning;
    private volatile boolean running = true;

    /**
     * A writer, started by {@link #start}.
     *
     * @param queue where events wait
     * @param json renders them
     * @param drops the sinks, each with its drop report, in the order they are written (a map that keeps its order)
     * @param logger for failures
     * @param clock the time of records and checkpoints
     */
    AuditWriter(AuditQueue queue, EventJson json, Map<AuditSink, DropReport> drops, System.Logger logger, Clock clock) {
        this.queue = Objects.requireNonNull(queue, "queue");
        this.json = Objects.requireNonNull(json, "json");
        this.drops = Map.copyOf(drops);
        this.sinks = List.copyOf(drops.keySet());
        this.logger = Objects.requireNonNull(logger, "logger");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.lastFailureWarning = new long[sinks.size()];
        Arrays.fill(lastFailureWarning, Long.MIN_VALUE);
        this.thread = new Thread(this::run, "pgwarden-audit-writer");
        thread.setDaemon(true);
    }

    /** Starts the thread. */
    void start() {
        thread.start();
    }

    private void run() {
        everySink((sink, now) -> sink.open(now));
        long lastEvent = Long.MIN_VALUE;
        while (running) {
            try {
                AuditEvent event = queue.poll();
                if (event == null) {
                    if (lastEvent != Long.MIN_VALUE && System.nanoTime() - lastEvent < BUSY_NANOS) {
                        // Busy: nap instead of waiting on the queue, so that the hooks' offers find nobody to wake.
                        LockSupport.parkNanos(NAP_NANOS);
                        continue;
                    }
                    event = queue.poll(IDLE_POLL_MILLIS);
                    if (event == null) {
                        lastEvent = Long.MIN_VALUE;
                        everySink(AuditSink::tick);
                        continue;
                    }
                }
                while (event != null) {
                    write(event);
                    event = queue.poll();
                }
                lastEvent = System.nanoTime();
                everySink((sink, now) -> sink.flush());
            } catch (InterruptedException e) {
                running = false;
            }
        }
        AuditEvent event = queue.poll();
        while (event != null) {
            write(event);
            event = queue.poll();
        }
        everySink(AuditSink::close);
    }

    private void write(AuditEvent event) {
        JsonBytes body;
        try {
            body = json.render(event);
        } catch (RuntimeException e) {
            for (AuditSink sink : sinks) {
                drops.get(sink).count(1);
            }
            logger.log(System.Logger.Level.ERROR, "audit event of session " + event.session().sessionId()
                    + " could not be rendered and is dropped", e);
            return;
        }
        // Written out rather than through everySink: no lambda capturing the body once an event.
        for (int i = 0; i < sinks.size(); i++) {
            AuditSink sink = sinks.get(i);
            long now = clock.millis();
            try {
                sink.append(body.array(), body.length(), now);
            } catch (IOException e) {
                failed(i, sink, now, e);
                drops.get(sink).count(1);
            }
        }
    }

    private void everySink(SinkAction action) {
        for (int i = 0; i < sinks.size(); i++) {
            AuditSink sink = sinks.get(i);
            long now = clock.millis();
            try {
                action.run(sink, now);
            } catch (IOException e) {
                failed(i, sink, now, e);
            }
        }
    }

    /** Logs a sink's failure, at most once per {@link AuditQueue#WARNING_INTERVAL_MILLIS} for each sink. */
    private void failed(int index, AuditSink sink, long now, IOException e) {
        if (lastFailureWarning[index] == Long.MIN_VALUE || now - lastFailureWarning[index] >= AuditQueue.WARNING_INTERVAL_MILLIS) {
            lastFailureWarning[index] = now;
            logger.log(System.Logger.Level.ERROR, "audit " + sink.name() + " cannot be written; events are dropped until it can: " + e);
        }
    }

    /** Stops the thread after it has written what is queued, and closes the sinks with a checkpoint. */
    @Override
    public void close() {
        // No interrupt: it would close the file's channel in the middle of a write; the poll returns within 200 ms.
        running = false;
        try {
            thread.join(40_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** One operation on each sink. */
    @FunctionalInterface
    private interface SinkAction {
        void run(AuditSink sink, long nowMillis) throws IOException;
    }
}
