package io.pgwarden.core.cli;

import io.pgwarden.core.config.ConfigException;
import io.pgwarden.core.logging.ProxyLogging;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The {@code pgwarden} command: {@code serve}, {@code check-config}, {@code demo}, {@code passwd}, the login
 * commands {@code login}, {@code logout}, {@code token} and {@code psql}, {@code audit verify}, and {@code version}.
 * Exit codes: 0 success, 1 runtime failure, 2 usage error, 3 invalid configuration.
 */
@Command(name = "pgwarden", mixinStandardHelpOptions = true, versionProvider = PgwardenVersion.class,
        description = "PostgreSQL wire-protocol proxy: authentication, pooling and plugins in front of PostgreSQL.",
        subcommands = {ServeCommand.class, CheckConfigCommand.class, DemoCommand.class, PasswdCommand.class,
            LoginCommand.class, LogoutCommand.class, TokenCommand.class, PsqlCommand.class, AuditCommand.class,
            VersionCommand.class, CommandLine.HelpCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:success", "1:runtime failure", "2:usage error", "3:invalid configuration"})
public final class PgwardenCli implements Callable<Integer> {

    private static final Logger LOG = LoggerFactory.getLogger(PgwardenCli.class);

    @Spec
    private CommandSpec spec;

    /**
     * Runs the command and exits with its exit code, once the log lines still queued are written.
     *
     * @param args the arguments
     */
    public static void main(String[] args) {
        int exitCode = commandLine().execute(args);
        ProxyLogging.stop();
        System.exit(exitCode);
    }

    /**
     * The command line, with pgwarden's exit codes and error handling, for running in-process.
     *
     * @return a new command line
     */
    public static CommandLine commandLine() {
        CommandLine commandLine = new CommandLine(new PgwardenCli());
        commandLine.setExecutionExceptionHandler(PgwardenCli::handleFailure);
        // pgwarden psql: from the first argument that is not pgwarden's own, everything is psql's, in order.
        commandLine.getSubcommands().get("psql").setStopAtUnmatched(true).setStopAtPositional(true);
        return commandLine;
    }

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return ExitCode.USAGE;
    }

    private static int handleFailure(Exception e, CommandLine commandLine, CommandLine.ParseResult parseResult) {
        if (e instanceof ConfigException config) {
            commandLine.getErr().println("invalid configuration: " + config.problems().size()
                    + (config.problems().size() == 1 ? " problem" : " problems"));
            config.problems().forEach(problem -> commandLine.getErr().println("  " + problem));
            return ExitCode.INVALID_CONFIGURATION;
        }
        String message = e.getMessage() == null ? e.getClass().getName() : e.getMessage();
        commandLine.getErr().println("pgwarden: " + message);
        LOG.debug("{} failed", commandLine.getCommandName(), e);
        return ExitCode.RUNTIME_FAILURE;
    }
}
