package io.pgwarden.plugin.scram;

import io.pgwarden.spi.PluginConfig;
import io.pgwarden.spi.PluginConfigException;
import io.pgwarden.spi.Services;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Secrets from a userlist file ({@link Userlist}), kept in memory: a lookup completes at once. The
 * file is checked every {@code userlist_reload_interval} for a new modification time, size or file
 * (an atomic rename) on one daemon thread, {@code pgwarden-scram-userlist}; a change is read once it
 * has stayed the same for one interval (so within two intervals), reparsed and the verifiers of
 * plaintext entries derived on that thread. A file that is broken on reload keeps the old
 * entries and logs one ERROR naming file:line; a good version later replaces them.
 *
 * <p>Relative paths resolve against the process's working directory. Write the file atomically
 * (write a temporary file, then rename it over the old one): waiting for a change to settle keeps a
 * file caught while being written from loading, but not one whose writer pauses longer than an
 * interval.
 */
final class UserlistSource implements CredentialSource {

    /** The thread that polls the file. */
    static final String THREAD_NAME = "pgwarden-scram-userlist";
    static final Duration DEFAULT_RELOAD_INTERVAL = Duration.ofSeconds(2);

    private static final Set<PosixFilePermission> SHARED = Set.of(PosixFilePermission.GROUP_READ, PosixFilePermission.OTHERS_READ);

    private final Path file;
    private final int iterations;
    private final System.Logger logger;
    private final ScheduledExecutorService poller;
    /** The poller's thread, joined on close so that nothing of ours runs after it. */
    private volatile Thread pollerThread;
    private volatile Map<String, StoredSecret> secrets;
    /** The version in use. Poller thread only, like the two fields below. */
    private Version loaded;
    /** A changed version seen at the last check, loaded if the next check sees it unchanged. */
    private Version candidate;
    /** A version that did not parse. */
    private Version failed;
    /** The last ERROR logged, so that a file that stays broken is reported once, not every poll. */
    private String reported;

    private UserlistSource(Path file, int iterations, System.Logger logger, Version version, Userlist userlist, Duration interval) {
        this.file = file;
        this.iterations = iterations;
        this.logger = logger;
        this.loaded = version;
        this.secrets = userlist.secrets();
        if (interval.isZero()) {
            this.poller = null;
        } else {
            this.poller = Executors.newSingleThreadScheduledExecutor(task -> {
                Thread thread = new Thread(task, THREAD_NAME);
                thread.setDaemon(true);
                pollerThread = thread;
                return thread;
            });
            long millis = Math.max(1, interval.toMillis());
            poller.scheduleWithFixedDelay(this::checkForChanges, millis, millis, TimeUnit.MILLISECONDS);
        }
    }

    /**
     * Reads the {@code userlist} and {@code userlist_reload_interval} keys of the plugin's section and
     * loads the file, on the calling thread.
     *
     * @param pluginSection the plugin's whole section ({@code plugins[i]})
     * @param services the plugin's services (logger)
     * @param iterations the iteration count for verifiers derived from plaintext entries
     * @return the source, or empty when the section has no {@code userlist}
     * @throws PluginConfigException at {@code plugins[i].userlist} when the file cannot be read or is
     *     malformed (the message names file:line, never a secret), or at the interval's path
     * @throws IllegalArgumentException when {@code iterations} is outside 1..{@link io.pgwarden.scram.ScramVerifier#MAX_ITERATIONS}
     *     (the plugin's settings check it first)
     */
    static Optional<UserlistSource> fromConfig(PluginConfig pluginSection, Services services, int iterations) {
        Objects.requireNonNull(pluginSection, "pluginSection");
        Objects.requireNonNull(services, "services");
        Userlist.checkIterations(iterations);
        Optional<String> name = pluginSection.string("userlist");
        Duration interval = pluginSection.duration("userlist_reload_interval", DEFAULT_RELOAD_INTERVAL);
        if (name.isEmpty()) {
            if (pluginSection.has("userlist_reload_interval")) {
                throw new PluginConfigException(pluginSection.pathOf("userlist_reload_interval"), "has no effect without userlist");
            }
            return Optional.empty();
        }
        if (name.get().isBlank()) {
            throw new PluginConfigException(pluginSection.pathOf("userlist"), "is empty; name a file in PgBouncer's auth_file format");
        }
        try {
            return Optional.of(open(Path.of(name.get().trim()), interval, iterations, services.logger()));
        } catch (IOException e) {
            throw new PluginConfigException(pluginSection.pathOf("userlist"), "cannot read " + name.get().trim() + ": " + describe(e));
        } catch (Userlist.FormatException e) {
            throw new PluginConfigException(pluginSection.pathOf("userlist"), e.getMessage());
        } catch (java.nio.file.InvalidPathException e) {
            throw new PluginConfigException(pluginSection.pathOf("userlist"), "is not a valid path: " + e.getReason());
        }
    }

    /**
     * Loads the file and, unless the interval is zero, starts polling it.
     *
     * @param file the file; relative to the working directory unless absolute
     * @param interval how often to check for changes; zero for never
     * @param iterations the iteration count for verifiers derived from plaintext entries
     * @param logger where warnings and reload errors go
     * @return the source; close it
     * @throws IOException when the file cannot be read
     * @throws Userlist.FormatException when the file is malformed
     */
    static UserlistSource open(Path file, Duration interval, int iterations, System.Logger logger)
            throws IOException, Userlist.FormatException {
        Path absolute = file.toAbsolutePath().normalize();
        Version version = Version.of(absolute);
        Userlist userlist = Userlist.read(absolute, iterations, Map.of());
        warnIfShared(absolute, logger);
        userlist.warnings().forEach(warning -> logger.log(Level.WARNING, warning));
        logger.log(Level.INFO, "userlist " + absolute + " loaded: " + userlist.secrets().size() + " user(s)");
        return new UserlistSource(absolute, iterations, logger, version, userlist, interval);
    }

    @Override
    public CompletionStage<Optional<StoredSecret>> lookup(String backend, String database, String user) {
        return CompletableFuture.completedFuture(Optional.ofNullable(secrets.get(user)));
    }

    /** The number of users known now. */
    int size() {
        return secrets.size();
    }

    /**
     * Reloads the file when it changed and has stayed the same since the previous check, so that a
     * file caught while being written (truncated, half written) is not loaded. Runs on the poller
     * thread; package-private for tests.
     */
    void checkForChanges() {
        try {
            Version now;
            try {
                now = Version.of(file);
            } catch (IOException e) {
                candidate = null;
                reportOnce("userlist " + file + " cannot be read (" + describe(e) + "); keeping the "
                        + secrets.size() + " user(s) loaded before");
                return;
            }
            if (now.equals(loaded) || now.equals(failed)) {
                candidate = null;
                return;
            }
            if (!now.equals(candidate)) {
                candidate = now; // changed: read it when it has settled
                return;
            }
            Userlist userlist;
            try {
                userlist = Userlist.read(file, iterations, secrets);
            } catch (IOException e) {
                reportOnce("userlist " + file + " cannot be read (" + describe(e) + "); keeping the "
                        + secrets.size() + " user(s) loaded before");
                return;
            } catch (Userlist.FormatException e) {
                failed = now; // not parsed again (PBKDF2 for its plaintext entries) until it changes
                reportOnce("userlist not reloaded, " + e.getMessage() + "; keeping the " + secrets.size()
                        + " user(s) loaded before");
                return;
            }
            if (!now.equals(Version.of(file))) {
                return; // written while we read it: a later check reads the finished file
            }
            userlist.warnings().forEach(warning -> logger.log(Level.WARNING, warning));
            secrets = userlist.secrets();
            loaded = now;
            candidate = null;
            failed = null;
            reported = null;
            logger.log(Level.INFO, "userlist " + file + " reloaded: " + userlist.secrets().size() + " user(s)");
        } catch (IOException | RuntimeException e) {
            // Never let an exception cancel the scheduled task: the next poll tries again.
            logger.log(Level.ERROR, "userlist " + file + " could not be checked for changes: " + describe(e));
        }
    }

    /** Logs an ERROR unless it is the one logged last: a file that stays broken is reported once. */
    private void reportOnce(String message) {
        if (!message.equals(reported)) {
            reported = message;
            logger.log(Level.ERROR, message);
        }
    }

    @Override
    public void close() {
        if (poller == null) {
            return;
        }
        poller.shutdownNow();
        try {
            Thread thread = pollerThread;
            if (!poller.awaitTermination(5, TimeUnit.SECONDS)) {
                logger.log(Level.WARNING, "the userlist poller did not stop within 5 s");
            } else if (thread != null) {
                thread.join(TimeUnit.SECONDS.toMillis(5));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "UserlistSource[" + file + "]";
    }

    private static void warnIfShared(Path file, System.Logger logger) {
        PosixFileAttributeView view = Files.getFileAttributeView(file, PosixFileAttributeView.class);
        if (view == null) {
            return;
        }
        try {
            Set<PosixFilePermission> permissions = view.readAttributes().permissions();
            if (permissions.stream().anyMatch(SHARED::contains)) {
                logger.log(Level.WARNING, "userlist " + file + " is readable by group or others; it holds password "
                        + "secrets: chmod 600 it");
            }
        } catch (IOException e) {
            // Only a warning was at stake; the file itself was read.
        }
    }

    private static String describe(Exception e) {
        String type = e.getClass().getSimpleName();
        return e.getMessage() == null ? type : type + ": " + e.getMessage();
    }

    /** What tells a changed file: its identity (inode), modification time and size. */
    private record Version(Object fileKey, FileTime modified, long size) {

        static Version of(Path file) throws IOException {
            BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
            return new Version(attributes.fileKey(), attributes.lastModifiedTime(), attributes.size());
        }
    }
}
