package io.pgwarden.plugin.audit;

import io.pgwarden.spi.Interceptor;
import io.pgwarden.spi.InterceptorFactory;
import io.pgwarden.spi.Metrics;
import io.pgwarden.spi.PluginConfig;
import io.pgwarden.spi.PluginConfigException;
import io.pgwarden.spi.Services;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The {@code audit} plugin type: one JSON Lines record per session start, authentication, statement and session
 * end, written by a background thread to a hash-chained file (docs/audit.md).
 *
 * <pre>
 * plugins:
 *   - type: audit
 *     checkpoint_key: "${file:/etc/pgwarden/audit.key}"   # required; a literal is refused
 *     file: { path: /var/log/pgwarden/audit.jsonl, max_size: 100MiB, max_age: 24h }
 * </pre>
 */
public final class AuditFactory implements InterceptorFactory {

    /** The type name in the YAML chain. */
    public static final String TYPE = "audit";

    static final int DEFAULT_QUEUE_SIZE = 10_000;
    static final int DEFAULT_CHECKPOINT_RECORDS = 1000;
    static final Duration DEFAULT_CHECKPOINT_INTERVAL = Duration.ofSeconds(60);
    static final long DEFAULT_MAX_SIZE = 100L << 20;
    static final Duration DEFAULT_MAX_AGE = Duration.ofHours(24);
    static final int MIN_KEY_LENGTH = 16;

    private static final Set<String> KEYS = Set.of("stream", "raw_text", "queue_size", "checkpoint_key", "checkpoint_records",
            "checkpoint_interval", "file");
    /** What statement events carry (docs/audit.md#parameters); parsed by {@link ParameterPolicy#from}. */
    private static final Set<String> EVENT_KEYS = Set.of("parameters", "max_parameter_length");
    private static final Set<String> FILE_KEYS = Set.of("path", "max_size", "max_age");
    private static final AtomicInteger INSTANCES = new AtomicInteger();

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public Interceptor create(PluginConfig config, Services services) {
        known(config, union(KEYS, EVENT_KEYS));
        PluginConfig file = config.section("file");
        if (!config.has("file")) {
            throw new PluginConfigException(config.pathOf("file"), "is required: the audit file sink, e.g. file: { path: audit.jsonl }");
        }
        known(file, FILE_KEYS);
        Path path = writablePath(file);
        long maxSize = ByteSize.parse(file, "max_size", DEFAULT_MAX_SIZE);
        if (maxSize < 1024) {
            throw new PluginConfigException(file.pathOf("max_size"), "must be at least 1KiB, found " + maxSize + " bytes");
        }
        Duration maxAge = positive(file, "max_age", DEFAULT_MAX_AGE);
        String stream = config.string("stream", "pgwarden");
        if (!stream.matches("[A-Za-z0-9._-]{1,64}")) {
            throw new PluginConfigException(config.pathOf("stream"), "use 1 to 64 letters, digits, dots, dashes or underscores");
        }
        int queueSize = range(config, "queue_size", DEFAULT_QUEUE_SIZE, 1, 1_000_000);
        int checkpointRecords = range(config, "checkpoint_records", DEFAULT_CHECKPOINT_RECORDS, 1, Integer.MAX_VALUE);
        Duration checkpointInterval = positive(config, "checkpoint_interval", DEFAULT_CHECKPOINT_INTERVAL);
        byte[] key = checkpointKey(config, services);
        boolean rawText = config.bool("raw_text", false);
        ParameterPolicy parameters = ParameterPolicy.from(config);

        Metrics.Counter dropped = services.metrics().counter("pgwarden.audit.dropped",
                "Audit events dropped because the queue was full or the sink failed");
        AuditQueue queue = new AuditQueue(queueSize, dropped, services.logger(), services.clock());
        ChainedFile chained = new ChainedFile(path, stream, maxSize, maxAge.toMillis(), checkpointRecords,
                checkpointInterval.toMillis(), key);
        AuditWriter writer = new AuditWriter(queue, new EventJson(rawText), chained, dropped, services.logger(), services.clock());
        writer.start();
        return new AuditInterceptor("audit.trail." + INSTANCES.incrementAndGet(), queue, writer, services.clock(),
                parameters);
    }

    private static Path writablePath(PluginConfig file) {
        Path path = Path.of(file.requireString("path")).toAbsolutePath();
        Path directory = path.getParent();
        try {
            Files.createDirectories(directory);
        } catch (IOException e) {
            throw new PluginConfigException(file.pathOf("path"), "cannot create the directory " + directory + ": " + e.getMessage());
        }
        if (!Files.isWritable(directory) || Files.isDirectory(path) || Files.exists(path) && !Files.isWritable(path)) {
            throw new PluginConfigException(file.pathOf("path"), "cannot write " + path);
        }
        return path;
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
        for (String key : config.values().keySet()) {
            if (!keys.contains(key)) {
                throw new PluginConfigException(config.pathOf(key), "unknown setting; known are " + new TreeSet<>(keys));
            }
        }
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

    private static Duration positive(PluginConfig config, String key, Duration defaultValue) {
        Duration value = config.duration(key, defaultValue);
        if (value.isZero()) {
            throw new PluginConfigException(config.pathOf(key), "must be more than zero");
        }
        return value;
    }
}
