package io.pgwarden.it.clients;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs the psql command-line client, when it is on the PATH, with a timeout and the process always destroyed. */
final class Psql {

    private static final long TIMEOUT_SECONDS = 60;

    private Psql() {
    }

    /** Whether an executable {@code psql} is on the PATH. */
    static boolean installed() {
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
     */
    static Result run(Path work, List<String> arguments, Map<String, String> environment)
            throws IOException, InterruptedException {
        return run(work, arguments, environment, process -> { });
    }

    /** Like {@link #run(Path, List, Map)}, calling {@code whileRunning} once psql has started. */
    static Result run(Path work, List<String> arguments, Map<String, String> environment, WhileRunning whileRunning)
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

    /** Something a test does to a psql process while it runs. */
    @FunctionalInterface
    interface WhileRunning {
        void accept(Process process) throws IOException, InterruptedException;
    }

    /** What psql printed and how it ended. */
    record Result(int exitCode, String stdout, String stderr) {
    }
}
