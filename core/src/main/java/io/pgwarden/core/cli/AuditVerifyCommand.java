package io.pgwarden.core.cli;

import io.pgwarden.core.audit.AuditChainVerifier;
import io.pgwarden.core.audit.AuditVerification;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code pgwarden audit verify FILE [--key-file F]}: checks one audit file and names its first broken link. */
@Command(name = "verify", mixinStandardHelpOptions = true,
        description = {"Check an audit file's hash chain and, with --key-file, its checkpoint MACs.",
            "Exits 0 with a summary when intact, 1 with the first broken link (line and why) when not."})
final class AuditVerifyCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Parameters(index = "0", paramLabel = "FILE", description = "the audit file, e.g. /var/log/pgwarden/audit.jsonl")
    private Path file;

    @Option(names = "--key-file", paramLabel = "F",
            description = "the checkpoint key, as the plugin's checkpoint_key reads it (one trailing newline is ignored, as ${file:} does)")
    private Path keyFile;

    @Override
    public Integer call() throws IOException {
        byte[] key = keyFile == null ? null : key(keyFile);
        AuditVerification result = new AuditChainVerifier(key).verify(file);
        PrintWriter out = spec.commandLine().getOut();
        if (!result.intact()) {
            spec.commandLine().getErr().println(file + ": BROKEN at " + result.problem().orElseThrow());
            spec.commandLine().getErr().println("  " + result.records() + " records before it are intact");
            return ExitCode.RUNTIME_FAILURE;
        }
        out.println(file + ": intact");
        out.println("  records      " + result.records() + " (header and " + result.checkpoints() + " checkpoints included)");
        out.println("  checkpoints  " + (result.macsVerified() ? "MACs verified" : "MACs NOT verified (no --key-file)"));
        out.println("  previous     " + result.previousHash() + " (the last hash of the previous file)");
        if (result.uncovered() > 0) {
            out.println("  tail         " + result.uncovered() + " records after the last checkpoint are protected by the chain only");
        }
        out.println("  closed       " + (result.closed() ? "yes (ends with a checkpoint)"
                : "no (still being written, or the writer stopped abruptly)"));
        return ExitCode.OK;
    }

    private static byte[] key(Path keyFile) throws IOException {
        String text = Files.readString(keyFile, StandardCharsets.UTF_8);
        if (text.endsWith("\r\n")) {
            text = text.substring(0, text.length() - 2);
        } else if (text.endsWith("\n")) {
            text = text.substring(0, text.length() - 1);
        }
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
