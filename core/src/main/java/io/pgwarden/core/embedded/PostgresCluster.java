package io.pgwarden.core.embedded;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One throw-away PostgreSQL cluster on disk and its postmaster on a free {@code 127.0.0.1} port, driven
 * through {@code initdb} and {@code pg_ctl} from the embedded binaries (zonky's own runner cannot be used: it
 * fails when the JVM runs as root). {@code pgwarden demo} and the test kit's fixture both run on it.
 *
 * <p>Layout: {@code root/} (a new folder under {@code java.io.tmpdir}, owned by the JVM's user) holds
 * {@code data/} (owned by the server user), {@code owner.lock} and {@code pg_ctl.out}, the output of the
 * tools. The server logs to {@code data/server.log}. PostgreSQL refuses to run as root; when the JVM is
 * root the server runs as {@code nobody} through util-linux {@code setpriv}.
 *
 * <p>The JVM holds a lock on {@code owner.lock} while the cluster exists; the first cluster a JVM creates
 * with a prefix stops and deletes the clusters with that prefix whose JVM died without {@link #destroy()}.
 */
public final class PostgresCluster {

    /** The superuser initdb creates; it connects over loopback with trust. */
    public static final String SUPERUSER = "postgres";

    private static final int START_ATTEMPTS = 3;

    private final Path bin;
    private final Path root;
    private final Path data;
    private final ServerUser user;
    private int port;
    private boolean running;
    private FileChannel ownerLock;
    private Thread shutdownHook;

    private PostgresCluster(Path bin, Path root, ServerUser user) {
        this.bin = bin;
        this.root = root;
        this.data = root.resolve("data");
        this.user = user;
    }

    /**
     * Runs initdb (superuser {@value #SUPERUSER}, trust, UTF-8, no locale) into a new folder
     * {@code java.io.tmpdir/<directoryPrefix>*}, unpacking the binaries first if this machine has not yet.
     *
     * @param directoryPrefix names the cluster's folder, e.g. {@code pgwarden-demo-}
     * @return the cluster, not started
     * @throws IOException when unpacking or initdb fails; nothing is left behind then
     */
    public static PostgresCluster initialize(String directoryPrefix) throws IOException {
        Objects.requireNonNull(directoryPrefix, "directoryPrefix");
        StaleClusters.reapOnce(directoryPrefix);
        Path bin = PostgresBinaries.installation().resolve("bin");
        ServerUser user = ServerUser.forThisProcess();
        Path root = Files.createTempDirectory(directoryPrefix);
        PostgresCluster cluster = new PostgresCluster(bin, root, user);
        try {
            cluster.ownerLock = FileChannel.open(root.resolve(StaleClusters.LOCK_FILE),
                    StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            cluster.ownerLock.lock();
            Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxr-xr-x"));
            Files.createDirectory(cluster.data, PosixFilePermissions.asFileAttribute(
                    PosixFilePermissions.fromString("rwx------")));
            user.own(cluster.data);
            cluster.run(List.of(bin.resolve("initdb").toString(), "-D", cluster.data.toString(),
                    "-U", SUPERUSER, "-A", "trust", "--no-locale", "-E", "UTF8", "--no-sync"));
        } catch (IOException | RuntimeException e) {
            cluster.releaseOwnerLock();
            FileTrees.deleteQuietly(root);
            throw e;
        }
        return cluster;
    }

    /** @return the cluster's folder, deleted by {@link #destroy()} */
    public Path root() {
        return root;
    }

    /** @return the data directory, {@code root/data} */
    public Path dataDirectory() {
        return data;
    }

    /** @return the port the postmaster listens on; 0 before {@link #start()} */
    public int port() {
        return port;
    }

    /**
     * The postmaster's process id.
     *
     * @return the first line of {@code postmaster.pid}
     * @throws IOException when the server is not running
     */
    public long pid() throws IOException {
        return Long.parseLong(Files.readAllLines(data.resolve("postmaster.pid"), StandardCharsets.US_ASCII).get(0).trim());
    }

    /**
     * A pgjdbc URL for the superuser.
     *
     * @param database the database name (not encoded)
     * @return {@code jdbc:postgresql://127.0.0.1:PORT/DATABASE?user=postgres}
     */
    public String jdbcUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database + "?user=" + SUPERUSER;
    }

    /**
     * Appends settings to postgresql.conf, each value quoted; later lines win over initdb's defaults.
     *
     * @param settings names and values, written in iteration order
     * @throws IOException when the file cannot be written
     */
    public void appendSettings(Map<String, String> settings) throws IOException {
        StringBuilder conf = new StringBuilder("\n# pgwarden embedded PostgreSQL\n");
        settings.forEach((key, value) ->
                conf.append(key).append(" = '").append(value.replace("'", "''")).append("'\n"));
        Files.writeString(data.resolve("postgresql.conf"), conf, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
    }

    /**
     * Writes a file into the data directory, owned by the server user (PostgreSQL insists on owning its
     * TLS key) with the given mode.
     *
     * @param name the file name inside the data directory
     * @param content the bytes
     * @param mode e.g. {@code rw-------}
     * @return the file
     * @throws IOException when the file cannot be written
     */
    public Path writeDataFile(String name, byte[] content, String mode) throws IOException {
        Path file = data.resolve(name);
        Files.write(file, content);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(mode));
        user.own(file);
        return file;
    }

    /**
     * Replaces pg_hba.conf: first the superuser's loopback trust line, which {@link #jdbcUrl} relies on,
     * then these lines.
     *
     * @param lines pg_hba.conf lines, e.g. {@code host all alice 127.0.0.1/32 scram-sha-256}
     * @throws IOException when the file cannot be written
     */
    public void writeHba(List<String> lines) throws IOException {
        List<String> hba = new ArrayList<>();
        hba.add("host all " + SUPERUSER + " 127.0.0.1/32 trust");
        hba.addAll(lines);
        writeDataFile("pg_hba.conf", (String.join("\n", hba) + "\n").getBytes(StandardCharsets.UTF_8), "rw-------");
    }

    /**
     * Starts the postmaster on a free loopback port and waits until it accepts connections, trying another
     * port when the chosen one was taken meanwhile. The settings should include
     * {@code listen_addresses = 127.0.0.1}.
     *
     * @throws IOException when the server does not start; the message includes the server log
     */
    public void start() throws IOException {
        IOException last = null;
        for (int attempt = 0; attempt < START_ATTEMPTS; attempt++) {
            port = freePort();
            try {
                run(List.of(bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-l",
                        data.resolve("server.log").toString(), "-o", "-p " + port, "-w", "-t", "60", "start"));
                running = true;
                return;
            } catch (IOException e) {
                last = e;
                if (!serverLog().contains("could not bind")) {
                    break;
                }
            }
        }
        throw new IOException(last.getMessage() + "\nserver log:\n" + serverLog(), last);
    }

    /**
     * Stops the postmaster but keeps the cluster, for tests of a backend outage; {@link #restart()} starts
     * it again on the same port.
     *
     * @throws IllegalStateException when the server cannot be stopped
     */
    public synchronized void stopServer() {
        if (running) {
            stop();
        }
    }

    /**
     * Starts a postmaster stopped by {@link #stopServer()} again, on the port it had.
     *
     * @throws IOException when it does not start (the port was taken meanwhile, say); the message includes the server log
     */
    public synchronized void restart() throws IOException {
        if (running) {
            return;
        }
        try {
            run(List.of(bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-l",
                    data.resolve("server.log").toString(), "-o", "-p " + port, "-w", "-t", "60", "start"));
        } catch (IOException e) {
            throw new IOException(e.getMessage() + "\nserver log:\n" + serverLog(), e);
        }
        running = true;
    }

    /**
     * Registers a shutdown hook that destroys the cluster when the JVM exits without {@link #destroy()}
     * (a crash, {@code System.exit}); {@link #destroy()} removes it again.
     */
    public synchronized void destroyOnExit() {
        if (shutdownHook == null) {
            shutdownHook = new Thread(this::destroyNow, "embedded-postgres-stop-" + root.getFileName());
            Runtime.getRuntime().addShutdownHook(shutdownHook);
        }
    }

    /**
     * Stops the postmaster (fast, then immediate) and deletes every file of the cluster. Later calls do
     * nothing. While the JVM shuts down the shutdown hook does this instead, and this returns at once.
     *
     * @throws IllegalStateException when the server cannot be stopped (its folder is deleted anyway)
     */
    public void destroy() {
        Thread hook;
        synchronized (this) {
            hook = shutdownHook;
            shutdownHook = null;
        }
        if (hook != null) {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // The hook is running or about to run and destroys the cluster itself.
                return;
            }
        }
        destroyNow();
    }

    private synchronized void destroyNow() {
        try {
            if (running) {
                stop();
            }
        } finally {
            releaseOwnerLock();
            FileTrees.delete(root);
        }
    }

    /** @return everything the server has logged so far */
    public String serverLog() {
        try {
            Path log = data.resolve("server.log");
            return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "(server log unreadable: " + e.getMessage() + ")";
        }
    }

    private void releaseOwnerLock() {
        if (ownerLock != null) {
            try {
                // Closing the channel releases its lock.
                ownerLock.close();
            } catch (IOException ignored) {
                // The lock dies with the process anyway; deleting the directory follows.
            }
            ownerLock = null;
        }
    }

    private void stop() {
        if (!Files.exists(data.resolve("postmaster.pid"))) {
            // Stopped already: a signal that reached the whole process group (Ctrl-C in some
            // terminals) or an administrator; pg_ctl would only fail to find it.
            running = false;
            return;
        }
        try {
            run(List.of(bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-m", "fast", "-w", "-t", "20", "stop"));
        } catch (IOException fastFailed) {
            try {
                run(List.of(bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-m", "immediate", "-w", "stop"));
            } catch (IOException immediateFailed) {
                immediateFailed.addSuppressed(fastFailed);
                throw new IllegalStateException("could not stop PostgreSQL in " + data, immediateFailed);
            }
        }
        running = false;
    }

    private void run(List<String> command) throws IOException {
        user.run(command, root.resolve("pg_ctl.out"));
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
