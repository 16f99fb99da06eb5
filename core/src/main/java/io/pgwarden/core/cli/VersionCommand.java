package io.pgwarden.core.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code pgwarden version}. */
@Command(name = "version", mixinStandardHelpOptions = true,
        description = "Print the versions of pgwarden, its plugin SPI and the Java runtime.")
final class VersionCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Override
    public Integer call() {
        for (String line : new PgwardenVersion().getVersion()) {
            spec.commandLine().getOut().println(line);
        }
        return ExitCode.OK;
    }
}
