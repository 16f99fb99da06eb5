package io.pgwarden.plugin.audit;

import io.pgwarden.spi.Metrics;
import io.pgwarden.spi.PluginConfig;
import io.pgwarden.spi.PluginConfigException;
import io.pgwarden.spi.Services;
import java.io.BufferedOutputStream;
import java.io.FileOutputStream;
import java.io.FileDescriptor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import javax.sql.DataSource;

/**
 * The sink sections of an {@code audit} entry ({@code file}, {@code stdout}, {@code table}; at least one), read and
 * checked before any sink starts, then built with a chain and a drop report each (docs/audit.md, "Sinks").
 */
final class AuditSinks {

    /** The plugin-level keys this class reads. */
    static final Set<String> KEYS = Set.of("file", "stdout", "table");
    static final long DEFAULT_MAX_SIZE = 100L << 20;
    static final Duration DEFAULT_MAX_AGE = Duration.ofHours(24);
    static final String DEFAULT_TABLE = "pgwarden_audit.events";
    static final int DEFAULT_BATCH_SIZE = 500;
    static final Duration DEFAULT_FLUSH_INTERVAL = Duration.ofSeconds(1);
    static final long DEFAULT_SPOOL_MAX_SIZE = 1L << 30;
    static final long MIN_SPOOL_MAX_SIZE = 64L << 10;

    private static final Set<String> FILE_KEYS = Set.of("path", "max_size", "max_age");
    private static final Set<String> STDOUT_KEYS = Set.of("enabled");
    private static final Set<String> TABLE_KEYS = Set.of("backend", "database", "user", "password", "table", "stream", "batch_size",
            "flush_interval", "spool");
    private static final Set<String> SPOOL_KEYS = Set.of("directory", "max_size");
    private static final Pattern TABLE_NAME = Pattern.compile("([a-z_][a-z0-9_]{0,62}\\.)?[a-z_][a-z0-9_]{0,62}");
    private static final Pattern STREAM = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    private AuditSinks() {
    }

    /** What every sink shares: the stream name, the checkpoint policy and key, and the queue's bounds. */
    record Common(String stream, int queueSize, long queueMemory, int checkpointRecords, Duration checkpointInterval,
                  byte[] key) {
        RecordChain chain() {
            return new RecordChain(checkpointRecords, checkpointInterval.toMillis(), key);
        }
    }

    /**
     * Reads the sink sections and builds the sinks; none is started.
     *
     * @param config the plugin's section
     * @param common what the sinks share
     * @param services for the table's data source, secrets, metrics, logger and clock
     * @return the sinks in the order file, stdout, table, each with its drop report
     * @throws PluginConfigException naming the YAML path of a bad value, or the section when no sink is configured
     */
    static Map<AuditSink, DropReport> create(PluginConfig config, Common common, Services services) {
        boolean stdout = config.has("stdout") && stdout(config.section("stdout"));
        if (!config.has("file") && !stdout && !config.has("table")) {
            throw new PluginConfigException(config.path(),
                    "needs at least one sink: file: { path: ... }, stdout: { enabled: true } or table: { backend: ... }");
        }
        Map<AuditSink, DropReport> sinks = new LinkedHashMap<>();
        if (config.has("file")) {
            PluginConfig file = config.section("file");
            known(file, FILE_KEYS);
            Path path = writablePath(file);
            long maxSize = ByteSize.parse(file, "max_size", DEFAULT_MAX_SIZE);
            if (maxSize < 1024) {
                throw new PluginConfigException(file.pathOf("max_size"), "must be at least 1KiB, found " + maxSize + " bytes");
            }
            Duration maxAge = positive(file, "max_age", DEFAULT_MAX_AGE);
            add(sinks, new ChainedFile(path, common.stream(), maxSize, maxAge.toMillis(), common.checkpointRecords(),
                    common.checkpointInterval().toMillis(), common.key(), DirectFileOutput.TAIL_NANOS), services);
        }
        AuditSink table = config.has("table") ? table(config.section("table"), common, services) : null;
        if (stdout) {
            add(sinks, new StdoutSink(new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 1 << 16), common.stream(), common.chain()), services);
        }
        if (table != null) {
            add(sinks, table, services);
        }
        return sinks;
    }

    private static boolean stdout(PluginConfig stdout) {
        known(stdout, STDOUT_KEYS);
        return stdout.bool("enabled", true);
    }

    private static TableSink table(PluginConfig table, Common common, Services services) {
        known(table, TABLE_KEYS);
        String backend = table.requireString("backend");
        String database = table.requireString("database");
        String user = table.requireString("user");
        String password = null;
        if (table.has("password")) {
            String reference = table.requireString("password").trim();
            if (!reference.startsWith("${env:") && !reference.startsWith("${file:")) {
                throw new PluginConfigException(table.pathOf("password"),
                        "must be a secret reference such as \"${file:/etc/pgwarden/audit-db.password}\" or \"${env:NAME}\"; a literal is refused");
            }
            password = services.resolveSecret(reference);
        }
        String name = table.string("table", DEFAULT_TABLE);
        if (!TABLE_NAME.matcher(name).matches()) {
            throw new PluginConfigException(table.pathOf("table"),
                    "use schema.table or table, in lower-case letters, digits and underscores, found '" + name + "'");
        }
        String stream = table.string("stream", common.stream());
        if (!STREAM.matcher(stream).matches()) {
            throw new PluginConfigException(table.pathOf("stream"), "use 1 to 64 letters, digits, dots, dashes or underscores");
        }
        int batchSize = table.integer("batch_size", DEFAULT_BATCH_SIZE);
        if (batchSize < 1 || batchSize > 100_000) {
            throw new PluginConfigException(table.pathOf("batch_size"), "must be between 1 and 100000, found " + batchSize);
        }
        Duration flushInterval = positive(table, "flush_interval", DEFAULT_FLUSH_INTERVAL);
        if (!table.has("spool")) {
            throw new PluginConfigException(table.pathOf("spool"),
                    "is required: where records wait while the audit database is down, e.g. spool: { directory: /var/lib/pgwarden/audit-spool }");
        }
        PluginConfig spoolSection = table.section("spool");
        known(spoolSection, SPOOL_KEYS);
        Path directory = Path.of(spoolSection.requireString("directory")).toAbsolutePath();
        long spoolMaxSize = ByteSize.parse(spoolSection, "max_size", DEFAULT_SPOOL_MAX_SIZE);
        if (spoolMaxSize < MIN_SPOOL_MAX_SIZE) {
            throw new PluginConfigException(spoolSection.pathOf("max_size"), "must be at least 64KiB, found " + spoolMaxSize + " bytes");
        }
        DataSource dataSource;
        try {
            dataSource = services.dataSource(backend, database, user, password);
        } catch (IllegalArgumentException e) {
            throw new PluginConfigException(table.pathOf("backend"), e.getMessage());
        }
        Spool spool;
        try {
            spool = new Spool(directory, spoolMaxSize);
        } catch (IOException e) {
            throw new PluginConfigException(spoolSection.pathOf("directory"), "cannot use " + directory + ": " + e);
        }
        if (!Files.isWritable(directory)) {
            throw new PluginConfigException(spoolSection.pathOf("directory"), "cannot write " + directory);
        }
        return new TableSink(new AuditTable(services, dataSource, name, stream), spool, common.chain(), stream, common.queueSize(),
                common.queueMemory(), batchSize, flushInterval.toMillis(), drops("table", services), services.logger(), services.clock());
    }

    private static void add(Map<AuditSink, DropReport> sinks, AuditSink sink, Services services) {
        sinks.put(sink, drops(sink.name(), services));
    }

    private static DropReport drops(String sink, Services services) {
        Metrics.Counter counter = services.metrics().counter("pgwarden.audit.dropped",
                "Audit events dropped because the queue was full or the sink failed", "sink", sink);
        return new DropReport(sink, counter, services.logger(), services.clock());
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

    static void known(PluginConfig config, Set<String> keys) {
        for (String key : config.values().keySet()) {
            if (!keys.contains(key)) {
                throw new PluginConfigException(config.pathOf(key), "unknown setting; known are " + new TreeSet<>(keys));
            }
        }
    }

    static Duration positive(PluginConfig config, String key, Duration defaultValue) {
        Duration value = config.duration(key, defaultValue);
        if (value.isZero()) {
            throw new PluginConfigException(config.pathOf(key), "must be more than zero");
        }
        return value;
    }
}
