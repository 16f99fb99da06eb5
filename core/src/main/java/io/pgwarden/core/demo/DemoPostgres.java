package io.pgwarden.core.demo;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A throw-away PostgreSQL server for the demo: initdb into a temporary folder, a postmaster on a free
 * loopback port, and on {@link #close()} a fast shutdown and the folder deleted.
 *
 * <p>PostgreSQL refuses to run as root. When the JVM is root (containers, CI), the server runs as
 * {@code nobody} through util-linux {@code setpriv} and owns only its data folder.
 */
final class DemoPostgres implements AutoCloseable {

    /** The superuser initdb creates; it logs in over loopback without a password. */
    static final String SUPERUSER = "postgres";

    private static final int NOBODY = 65534;

    private final Path bin;
    private final Path root;
    private final Path data;
    private final boolean dropPrivileges;
    private int port;
    private boolean running;

    private DemoPostgres(Path bin, Path root, boolean dropPrivileges) {
        this.bin = bin;
        this.root = root;
        this.data = root.resolve("data");
        this.dropPrivileges = dropPrivileges;
    }

    /**
     * Creates a cluster and starts it.
     *
     * @return the running server
     * @throws IOException when initdb or the server fails; nothing is left behind then
     */
    static DemoPostgres start() throws IOException {
        Path bin = PostgresInstallation.unpacked().resolve("bin");
        boolean root = "root".equals(System.getProperty("user.name"));
        DemoPostgres server = new DemoPostgres(bin, Files.createTempDirectory("pgwarden-demo-"), root);
        try {
            server.initialize();
            server.startPostmaster();
        } catch (IOException | RuntimeException e) {
            server.close();
            throw e;
        }
        return server;
    }

    int port() {
        return port;
    }

    Path root() {
        return root;
    }

    /** The postmaster's process id, from {@code postmaster.pid}. */
    long pid() throws IOException {
        return Long.parseLong(Files.readAllLines(data.resolve("postmaster.pid"), StandardCharsets.US_ASCII).get(0).trim());
    }

    /** A JDBC URL for the superuser on a database. */
    String jdbcUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database + "?user=" + SUPERUSER;
    }

    private void initialize() throws IOException {
        Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.createDirectory(data, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        if (dropPrivileges) {
            Files.setAttribute(data, "unix:uid", NOBODY);
            Files.setAttribute(data, "unix:gid", NOBODY);
        }
        run(List.of(bin.resolve("initdb").toString(), "-D", data.toString(), "-U", SUPERUSER, "-A", "trust",
                "--no-locale", "-E", "UTF8", "--no-sync"));
        Files.writeString(data.resolve("postgresql.conf"), """

                # pgwarden demo: loopback only, small and quick
                listen_addresses = '127.0.0.1'
                unix_socket_directories = ''
                fsync = off
                max_connections = 50
                """, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
    }

    private void startPostmaster() throws IOException {
        IOException last = null;
        for (int attempt = 0; attempt < 3; attempt++) {
            port = freePort();
            try {
                run(List.of(bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-l",
                        data.resolve("server.log").toString(), "-o", "-p " + port, "-w", "-t", "60", "start"));
                running = true;
                return;
            } catch (IOException e) {
                // another process may have taken the free port between choosing and binding it
                last = e;
            }
        }
        throw new IOException("PostgreSQL did not start: " + last.getMessage() + "\n" + serverLog(), last);
    }

    /** Stops the server (fast, then immediate) and deletes its folder. */
    @Override
    public void close() {
        try {
            if (running) {
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
        } finally {
            FileTree.delete(root);
        }
    }

    private String serverLog() {
        try {
            Path log = data.resolve("server.log");
            return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "";
        }
    }

    private void run(List<String> command) throws IOException {
        List<String> full = new ArrayList<>();
        if (dropPrivileges) {
            full.addAll(List.of("setpriv", "--reuid=" + NOBODY, "--regid=" + NOBODY, "--clear-groups", "--"));
        }
        full.addAll(command);
        Path output = root.resolve("tool.out");
        ProcessBuilder builder = new ProcessBuilder(full).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.to(output.toFile()));
        builder.environment().remove("PGDATA");
        builder.environment().put("LC_ALL", "C");
        Process process = builder.start();
        try {
            if (!process.waitFor(90, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IOException("timed out: " + String.join(" ", command));
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted: " + String.join(" ", command), e);
        }
        if (process.exitValue() != 0) {
            throw new IOException("exit code " + process.exitValue() + " from " + command.get(0) + ":\n"
                    + Files.readString(output, StandardCharsets.UTF_8));
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
