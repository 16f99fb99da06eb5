package io.pgwarden.core.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code pgwarden audit}: tools for the audit plugin's files; today {@code verify}. */
@Command(name = "audit", mixinStandardHelpOptions = true,
        description = "Tools for the audit plugin's files: verify checks a file's hash chain and checkpoints.",
        subcommands = {AuditVerifyCommand.class})
final class AuditCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return ExitCode.USAGE;
    }
}
