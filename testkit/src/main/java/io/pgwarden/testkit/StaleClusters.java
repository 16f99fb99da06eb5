package io.pgwarden.testkit;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stops and deletes clusters whose JVM died without closing them (killed, or a crashed CI run).
 *
 * <p>Each cluster's JVM holds a lock on {@code owner.lock} in the cluster's root for the cluster's lifetime.
 * The operating system drops the lock when the process dies, so a lock that can be taken marks a cluster
 * nobody owns any more.
 */
final class StaleClusters {

    static final String PREFIX = "pgwarden-pg-";
    static final String LOCK_FILE = "owner.lock";

    private static final Logger LOG = LoggerFactory.getLogger(StaleClusters.class);
    private static boolean reaped;

    private StaleClusters() {
    }

    /** Once per JVM: reaps every orphaned cluster under {@code java.io.tmpdir}. */
    static synchronized void reapOnce() {
        if (!reaped) {
            reaped = true;
            reapAll();
        }
    }

    /** Reaps every orphaned cluster under {@code java.io.tmpdir} now. */
    static void reapAll() {
        Path temp = Path.of(System.getProperty("java.io.tmpdir"));
        try (DirectoryStream<Path> roots = Files.newDirectoryStream(temp, PREFIX + "*")) {
            for (Path root : roots) {
                reap(root);
            }
        } catch (IOException e) {
            LOG.warn("could not look for orphaned PostgreSQL clusters in {}: {}", temp, e.getMessage());
        }
    }

    private static void reap(Path root) {
        Path lockFile = root.resolve(LOCK_FILE);
        if (!Files.isRegularFile(lockFile)) {
            // Being created right now (the lock file comes before initdb), or not ours.
            return;
        }
        try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.WRITE)) {
            FileLock lock = channel.tryLock();
            if (lock == null) {
                return;
            }
            Path pidFile = root.resolve("data/postmaster.pid");
            try {
                if (!Files.exists(pidFile) && youngerThan(lockFile, Duration.ofMinutes(1))) {
                    // The owner creates the lock file and locks it a moment later, before initdb; an unlocked
                    // young cluster without a postmaster may be in that moment.
                    return;
                }
                stopPostmaster(pidFile);
            } finally {
                lock.release();
            }
            FileTrees.delete(root);
            LOG.info("removed orphaned PostgreSQL cluster {}", root);
        } catch (OverlappingFileLockException ownedByThisJvm) {
            // A live cluster of this JVM.
        } catch (IOException | RuntimeException e) {
            LOG.warn("could not remove orphaned PostgreSQL cluster {}: {}", root, e.getMessage());
        }
    }

    private static boolean youngerThan(Path file, Duration age) throws IOException {
        return Files.getLastModifiedTime(file).toInstant().isAfter(Instant.now().minus(age));
    }

    private static void stopPostmaster(Path pidFile) throws IOException {
        if (!Files.isRegularFile(pidFile)) {
            return;
        }
        List<String> lines = Files.readAllLines(pidFile);
        if (lines.isEmpty()) {
            return;
        }
        Optional<ProcessHandle> postmaster = ProcessHandle.of(Long.parseLong(lines.get(0).trim()))
                .filter(handle -> handle.info().command().map(command -> command.endsWith("/postgres")).orElse(false));
        if (postmaster.isEmpty()) {
            return;
        }
        ProcessHandle handle = postmaster.get();
        // SIGTERM is PostgreSQL's smart shutdown; the dead JVM's clients are gone, so it finishes at once.
        handle.destroy();
        try {
            handle.onExit().get(10, TimeUnit.SECONDS);
        } catch (Exception notStopped) {
            handle.destroyForcibly();
        }
    }
}
