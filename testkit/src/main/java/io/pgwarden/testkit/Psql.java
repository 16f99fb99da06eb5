package io.pgwarden.testkit;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs the psql command-line client, when it is on the PATH, with a timeout and the process always destroyed. */
public final class Psql {

    private static final long TIMEOUT_SECONDS = 60;

    private Psql() {
    }

    /**
     * Whether an executable {@code psql} is on the PATH.
     *
     * @return true when psql can be run
     */
    public static boolean installed() {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String directory : path.split(File.pathSeparator)) {
            if (!directory.isEmpty() && Files.isExecutable(Path.of(directory, "psql"))) {
                return true;
            }
        }
        return false;
    }

    /**
     * Runs {@code psql -X ARGUMENTS} with no PG* variables inherited but {@code environment}, stdin from /dev/null,
     * and stdout and stderr captured in files under {@code work}.
     *
     * @param work a folder for the captured output
     * @param arguments psql's arguments
     * @param environment PG* variables to set (PGPASSWORD, PGSSLMODE, ...)
     * @return how psql ended and what it printed
     * @throws IOException when psql cannot be started
     * @throws InterruptedException when interrupted while waiting
     */
    public static Result run(Path work, List<String> arguments, Map<String, String> environment)
            throws IOException, InterruptedException {
        return run(work, arguments, environment, process -> { });
    }

    /**
     * Like {@link #run(Path, List, Map)}, calling {@code whileRunning} once psql has started.
     *
     * @param work a folder for the captured output
     * @param arguments psql's arguments
     * @param environment PG* variables to set
     * @param whileRunning what to do to the running process
     * @return how psql ended and what it printed
     * @throws IOException when psql cannot be started
     * @throws InterruptedException when interrupted while waiting
     */
    public static Result run(Path work, List<String> arguments, Map<String, String> environment, WhileRunning whileRunning)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("psql", "-X"));
        command.addAll(arguments);
        Path stdout = Files.createTempFile(work, "psql", ".out");
        Path stderr = Files.createTempFile(work, "psql", ".err");
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(stdout.toFile())
                .redirectError(stderr.toFile());
        builder.environment().keySet().removeIf(name -> name.startsWith("PG"));
        builder.environment().put("PGCONNECT_TIMEOUT", "10");
        builder.environment().put("PGAPPNAME", "pgwarden-psql-it");
        builder.environment().putAll(environment);
        Process process = builder.start();
        try {
            whileRunning.accept(process);
            if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                throw new AssertionError("psql did not finish within " + TIMEOUT_SECONDS + "s: " + command
                        + "\nstderr: " + Files.readString(stderr));
            }
            return new Result(process.exitValue(), Files.readString(stdout), Files.readString(stderr));
        } finally {
            process.destroyForcibly();
            process.waitFor(5, TimeUnit.SECONDS);
        }
    }

    /**
     * Logs in with a password and runs one statement: {@code psql -X -At -h HOST -p PORT -U USER -d DATABASE -c SQL}
     * with PGPASSWORD set.
     *
     * @param work a folder for the captured output
     * @param host the host
     * @param port the port
     * @param user the user
     * @param database the database
     * @param password the password
     * @param sql the statement
     * @param environment further PG* variables (PGSSLMODE, PGCHANNELBINDING, ...)
     * @return how psql ended and what it printed
     * @throws IOException when psql cannot be started
     * @throws InterruptedException when interrupted while waiting
     */
    public static Result login(Path work, String host, int port, String user, String database, String password, String sql,
                               Map<String, String> environment) throws IOException, InterruptedException {
        Map<String, String> withPassword = new HashMap<>(environment);
        withPassword.put("PGPASSWORD", password);
        return run(work, List.of("-At", "-h", host, "-p", Integer.toString(port), "-U", user, "-d", database, "-c", sql),
                withPassword);
    }

    /** Something a test does to a psql process while it runs. */
    @FunctionalInterface
    public interface WhileRunning {
        /**
         * Acts on the process.
         *
         * @param process the running psql
         * @throws IOException when the action fails
         * @throws InterruptedException when interrupted
         */
        void accept(Process process) throws IOException, InterruptedException;
    }

    /**
     * What psql printed and how it ended.
     *
     * @param exitCode the exit code
     * @param stdout what it printed on stdout
     * @param stderr what it printed on stderr
     */
    public record Result(int exitCode, String stdout, String stderr) {
    }
}
