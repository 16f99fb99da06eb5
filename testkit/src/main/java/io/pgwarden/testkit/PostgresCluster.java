package io.pgwarden.testkit;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One PostgreSQL cluster on disk and its postmaster, driven through {@code initdb} and {@code pg_ctl}.
 *
 * <p>Layout: {@code root/} (owned by the JVM's user) holds {@code data/} (owned by the server user) and
 * {@code pg_ctl.out}, the output of the tools. The server logs to {@code data/server.log}.
 */
final class PostgresCluster {

    /** The superuser initdb creates; the fixture connects as it over loopback with trust. */
    static final String SUPERUSER = "postgres";

    private static final int START_ATTEMPTS = 3;

    private final Path bin;
    private final Path root;
    private final Path data;
    private final ServerUser user;
    private int port;
    private boolean running;
    private FileChannel ownerLock;

    private PostgresCluster(Path bin, Path root, ServerUser user) {
        this.bin = bin;
        this.root = root;
        this.data = root.resolve("data");
        this.user = user;
    }

    /** Runs initdb into a new temporary directory. */
    static PostgresCluster initialize() throws IOException {
        StaleClusters.reapOnce();
        Path bin = PostgresBinaries.installation().resolve("bin");
        ServerUser user = ServerUser.forThisProcess();
        Path root = Files.createTempDirectory(StaleClusters.PREFIX);
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

    Path dataDirectory() {
        return data;
    }

    int port() {
        return port;
    }

    /** Appends settings to postgresql.conf; later lines win over initdb's defaults. */
    void appendSettings(Map<String, String> settings) throws IOException {
        StringBuilder conf = new StringBuilder("\n# pgwarden testkit\n");
        settings.forEach((key, value) ->
                conf.append(key).append(" = '").append(value.replace("'", "''")).append("'\n"));
        Files.writeString(data.resolve("postgresql.conf"), conf, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
    }

    /** Writes a file into the data directory, owned by the server user with the given mode. */
    Path writeDataFile(String name, byte[] content, String mode) throws IOException {
        Path file = data.resolve(name);
        Files.write(file, content);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(mode));
        user.own(file);
        return file;
    }

    /** Starts the postmaster on a free loopback port, trying another port if the chosen one was taken. */
    void start() throws IOException {
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

    /** Stops the postmaster (fast, then immediate) and deletes every file of the cluster. */
    synchronized void destroy() {
        try {
            if (running) {
                stop();
            }
        } finally {
            releaseOwnerLock();
            FileTrees.delete(root);
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

    String serverLog() {
        try {
            Path log = data.resolve("server.log");
            return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "(server log unreadable: " + e.getMessage() + ")";
        }
    }

    private void run(List<String> command) throws IOException {
        Path output = root.resolve("pg_ctl.out");
        ProcessBuilder builder = new ProcessBuilder(user.command(command))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.to(output.toFile()));
        builder.environment().remove("PGDATA");
        builder.environment().put("LC_ALL", "C");
        Process process = builder.start();
        try {
            if (!process.waitFor(90, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IOException("timed out: " + command);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted: " + command, e);
        }
        if (process.exitValue() != 0) {
            throw new IOException("exit code " + process.exitValue() + " from " + command + ":\n"
                    + Files.readString(output, StandardCharsets.UTF_8));
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
