package io.pgwarden.core.embedded;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The operating-system user the PostgreSQL processes run as.
 *
 * <p>PostgreSQL refuses to run as root, and CI machines and containers often run the build as root.
 * Then the server runs as {@code nobody} (uid and gid 65534) through util-linux {@code setpriv}, and the
 * files it must own are handed to that user. Otherwise it runs as the current user and nothing changes.
 */
record ServerUser(boolean dropsPrivileges) {

    private static final int NOBODY = 65534;

    /** The user for this JVM: {@code nobody} when the JVM runs as root, else the current user. */
    static ServerUser forThisProcess() throws IOException {
        Path self = Path.of("/proc/self");
        if (!Files.exists(self)) {
            // No procfs (not Linux): the account name is the best evidence left.
            return new ServerUser("root".equals(System.getProperty("user.name")));
        }
        int uid = (Integer) Files.getAttribute(self, "unix:uid");
        return new ServerUser(uid == 0);
    }

    /** The command line that runs {@code command} as this user. */
    List<String> command(List<String> command) {
        if (!dropsPrivileges) {
            return List.copyOf(command);
        }
        List<String> full = new ArrayList<>(List.of("setpriv", "--reuid=" + NOBODY, "--regid=" + NOBODY,
                "--clear-groups", "--"));
        full.addAll(command);
        return full;
    }

    /** Makes this user the owner of {@code path} (not recursive). */
    void own(Path path) throws IOException {
        if (dropsPrivileges) {
            Files.setAttribute(path, "unix:uid", NOBODY);
            Files.setAttribute(path, "unix:gid", NOBODY);
        }
    }

    /**
     * Runs a PostgreSQL tool as this user and waits for it (at most 90 seconds), its output going to
     * {@code output}.
     *
     * @throws IOException when it cannot start, times out or exits with an error; the message has its output
     */
    void run(List<String> command, Path output) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command(command))
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
}
