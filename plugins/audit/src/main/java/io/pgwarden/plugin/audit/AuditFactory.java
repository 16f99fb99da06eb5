package io.pgwarden.plugin.audit;

import io.pgwarden.spi.Interceptor;
import io.pgwarden.spi.InterceptorFactory;
import io.pgwarden.spi.Metrics;
import io.pgwarden.spi.PluginConfig;
import io.pgwarden.spi.PluginConfigException;
import io.pgwarden.spi.Services;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The {@code audit} plugin type: one JSON Lines record per session start, authentication, statement and session
 * end, written by a background thread to one or more hash-chained sinks: a file, standard output, a PostgreSQL
 * table (docs/audit.md).
 *
 * <pre>
 * plugins:
 *   - type: audit
 *     checkpoint_key: "${file:/etc/pgwarden/audit.key}"   # required; a literal is refused
 *     file: { path: /var/log/pgwarden/audit.jsonl, max_size: 100MiB, max_age: 24h }
 *     stdout: { enabled: true }
 *     table: { backend: audit, database: audit, user: pgwarden_audit, password: "${file:/etc/pgwarden/audit-db.password}",
 *              spool: { directory: /var/lib/pgwarden/audit-spool } }
 * </pre>
 */
public final class AuditFactory implements InterceptorFactory {

    /** The type name in the YAML chain. */
    public static final String TYPE = "audit";

    static final int DEFAULT_QUEUE_SIZE = 100_000;
    static final long DEFAULT_QUEUE_MEMORY = 64L << 20;
    static final long MIN_QUEUE_MEMORY = 1L << 20;
    static final int DEFAULT_CHECKPOINT_RECORDS = 1000;
    static final Duration DEFAULT_CHECKPOINT_INTERVAL = Duration.ofSeconds(60);
    static final int MIN_KEY_LENGTH = 16;

    private static final Set<String> KEYS = Set.of("stream", "raw_text", "queue_size", "queue_memory", "checkpoint_key",
            "checkpoint_records", "checkpoint_interval", "file", "stdout", "table");
    /** What statement events carry (docs/audit.md#parameters); parsed by {@link ParameterPolicy#from}. */
    private static final Set<String> EVENT_KEYS = Set.of("parameters", "max_parameter_length");
    private static final AtomicInteger INSTANCES = new AtomicInteger();

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public Interceptor create(PluginConfig config, Services services) {
        known(config, union(KEYS, EVENT_KEYS));
        String stream = config.string("stream", "pgwarden");
        if (!stream.matches("[A-Za-z0-9._-]{1,64}")) {
            throw new PluginConfigException(config.pathOf("stream"), "use 1 to 64 letters, digits, dots, dashes or underscores");
        }
        int queueSize = range(config, "queue_size", DEFAULT_QUEUE_SIZE, 1, 1_000_000);
        long queueMemory = ByteSize.parse(config, "queue_memory", DEFAULT_QUEUE_MEMORY);
        if (queueMemory < MIN_QUEUE_MEMORY || queueMemory > AuditQueue.MAX_MEMORY) {
            throw new PluginConfigException(config.pathOf("queue_memory"), "must be at least 1MiB and at most " + (AuditQueue.MAX_MEMORY >> 30) + "GiB");
        }
        int checkpointRecords = range(config, "checkpoint_records", DEFAULT_CHECKPOINT_RECORDS, 1, Integer.MAX_VALUE);
        Duration checkpointInterval = AuditSinks.positive(config, "checkpoint_interval", DEFAULT_CHECKPOINT_INTERVAL);
        byte[] key = checkpointKey(config, services);
        boolean rawText = config.bool("raw_text", false);
        ParameterPolicy parameters = ParameterPolicy.from(config);
        Map<AuditSink, DropReport> sinks = AuditSinks.create(config,
                new AuditSinks.Common(stream, queueSize, queueMemory, checkpointRecords, checkpointInterval, key), services);

        Metrics.Counter dropped = services.metrics().counter("pgwarden.audit.dropped",
                "Audit events dropped because the queue was full or the sink failed", "sink", "queue");
        AuditQueue queue = new AuditQueue(queueSize, queueMemory, dropped, services.logger(), services.clock());
        AuditWriter writer = new AuditWriter(queue, new EventJson(rawText), sinks, services.logger(), services.clock());
        writer.start();
        return new AuditInterceptor("audit.trail." + INSTANCES.incrementAndGet(), queue, writer, services.clock(),
                parameters);
    }

    private static byte[] checkpointKey(PluginConfig config, Services services) {
        String reference = config.requireString("checkpoint_key").trim();
        if (!reference.startsWith("${env:") && !reference.startsWith("${file:")) {
            throw new PluginConfigException(config.pathOf("checkpoint_key"),
                    "must be a secret reference such as \"${file:/etc/pgwarden/audit.key}\" or \"${env:NAME}\"; a literal key is refused");
        }
        String key = services.resolveSecret(reference);
        if (key.length() < MIN_KEY_LENGTH) {
            throw new PluginConfigException(config.pathOf("checkpoint_key"),
                    "the key is too short: use at least " + MIN_KEY_LENGTH + " characters (for example 32 random bytes in hex)");
        }
        return key.getBytes(StandardCharsets.UTF_8);
    }

    private static void known(PluginConfig config, Set<String> keys) {
        AuditSinks.known(config, keys);
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> all = new TreeSet<>(a);
        all.addAll(b);
        return all;
    }

    private static int range(PluginConfig config, String key, int defaultValue, int min, int max) {
        int value = config.integer(key, defaultValue);
        if (value < min || value > max) {
            throw new PluginConfigException(config.pathOf(key), "must be between " + min + " and " + max + ", found " + value);
        }
        return value;
    }
}
