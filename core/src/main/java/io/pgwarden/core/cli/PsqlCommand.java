package io.pgwarden.core.cli;

import io.pgwarden.core.login.FreshTokens;
import io.pgwarden.core.login.LoginException;
import io.pgwarden.core.login.LoginProfile;
import io.pgwarden.core.login.ProviderEndpoints;
import io.pgwarden.core.login.PsqlEnvironment;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Unmatched;

/**
 * {@code pgwarden psql [psql arguments]}: runs psql with a fresh access token as {@code PGPASSWORD} and the proxy's
 * host, port, sslmode, database and user from the profile, at the terminal, and ends with psql's exit code. Every
 * argument from the first one that is not pgwarden's own goes to psql unchanged.
 */
@Command(name = "psql",
        description = {"Run psql signed in with the login profile.",
            "A fresh access token goes in PGPASSWORD, and PGHOST, PGPORT, PGSSLMODE",
            "(default require), PGDATABASE and PGUSER come from the login profile.",
            "pgwarden's options come first; every argument after them (or after --) goes",
            "to psql. Exits with psql's exit code, or 1 when not logged in, the login",
            "expired or psql cannot be started."},
        footer = {"%nExamples:",
            "  pgwarden psql",
            "  pgwarden psql --profile staging -c 'select session_user'",
            "  pgwarden psql -- --help"})
final class PsqlCommand implements Callable<Integer> {

    @Mixin
    private ProfileOptions options;

    @Option(names = "--help", usageHelp = true, description = "show this help and exit (psql's own: pgwarden psql -- --help)")
    private boolean help;

    @Option(names = "--psql", paramLabel = "PATH", description = "the psql to run (default: psql on the PATH)")
    private String psql;

    @Option(names = "--min-validity", paramLabel = "SECONDS", converter = LoginConverters.Seconds.class,
            defaultValue = "60", description = "refresh when the token expires within this many seconds (default 60)")
    private Duration minValidity;

    @Parameters(paramLabel = "PSQL-ARGS", arity = "0..*", description = "arguments for psql")
    private List<String> positional = new ArrayList<>();

    @Unmatched
    private List<String> unmatched = new ArrayList<>();

    @Override
    public Integer call() throws InterruptedException {
        LoginProfile settings = options.settings(LoginProfile.EMPTY);
        String token = new FreshTokens(options.cache(), options.clock(), ProviderEndpoints::discover)
                .accessToken(options.name(), settings, minValidity);
        Map<String, String> environment = PsqlEnvironment.build(options.environment(), settings, token);
        List<String> command = new ArrayList<>();
        command.add(executable(environment));
        // Picocli stops at the first argument that is not pgwarden's (see PgwardenCli): all of them are in one list.
        command.addAll(unmatched.isEmpty() ? positional : unmatched);
        ProcessBuilder builder = new ProcessBuilder(command).inheritIO();
        builder.environment().clear();
        builder.environment().putAll(environment);
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new LoginException("cannot start " + command.get(0) + ": " + e.getMessage(), e);
        }
        // Ctrl-C reaches psql too, which cancels its query and goes on; this process must wait for it rather than end.
        Thread waitForPsql = new Thread(() -> waitQuietly(process), "pgwarden-psql-wait");
        Runtime.getRuntime().addShutdownHook(waitForPsql);
        try {
            return process.waitFor();
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(waitForPsql);
            } catch (IllegalStateException e) {
                // already shutting down: the hook waits for psql
            }
        }
    }

    private String executable(Map<String, String> environment) {
        if (psql != null) {
            if (!Files.isExecutable(Path.of(psql))) {
                throw new LoginException("--psql " + psql + " is not an executable file");
            }
            return psql;
        }
        String path = environment.getOrDefault("PATH", "");
        for (String directory : path.split(File.pathSeparator)) {
            if (!directory.isEmpty() && Files.isExecutable(Path.of(directory, "psql"))) {
                return Path.of(directory, "psql").toString();
            }
        }
        throw new LoginException("psql is not on the PATH; install the PostgreSQL client (psql 14 or newer), or give"
                + " its path with --psql PATH");
    }

    private static void waitQuietly(Process process) {
        try {
            process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
