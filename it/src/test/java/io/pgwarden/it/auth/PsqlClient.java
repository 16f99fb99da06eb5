package io.pgwarden.it.auth;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs {@code /usr/bin/psql} (when installed) with a password in PGPASSWORD, bounded in time, always destroyed. */
final class PsqlClient {

    static final Path PSQL = Path.of("/usr/bin/psql");
    private static final long TIMEOUT_SECONDS = 60;

    private PsqlClient() {
    }

    static boolean installed() {
        return Files.isExecutable(PSQL);
    }

    /**
     * Runs {@code psql -X -At -h HOST -p PORT -U USER -d DATABASE -c SQL} with PGPASSWORD and {@code environment}
     * (e.g. PGSSLMODE), no other PG* variable inherited, stdin from /dev/null.
     */
    static Result run(Path work, String host, int port, String user, String database, String password, String sql,
                      Map<String, String> environment) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(PSQL.toString(), "-X", "-At", "-h", host, "-p", Integer.toString(port),
                "-U", user, "-d", database, "-c", sql));
        Path stdout = Files.createTempFile(work, "psql", ".out");
        Path stderr = Files.createTempFile(work, "psql", ".err");
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(stdout.toFile())
                .redirectError(stderr.toFile());
        builder.environment().keySet().removeIf(name -> name.startsWith("PG"));
        builder.environment().put("PGCONNECT_TIMEOUT", "20");
        builder.environment().put("PGPASSWORD", password);
        builder.environment().putAll(environment);
        Process process = builder.start();
        try {
            if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                throw new AssertionError("psql did not finish within " + TIMEOUT_SECONDS + "s; stderr: " + Files.readString(stderr));
            }
            return new Result(process.exitValue(), Files.readString(stdout).strip(), Files.readString(stderr));
        } finally {
            process.destroyForcibly();
            process.waitFor(5, TimeUnit.SECONDS);
        }
    }

    /** How psql ended and what it printed. */
    record Result(int exitCode, String stdout, String stderr) {
    }
}
