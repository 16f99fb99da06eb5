package io.pgwarden.core.cli;

import io.pgwarden.core.audit.AuditChainVerifier;
import io.pgwarden.core.audit.AuditTableRecords;
import io.pgwarden.core.audit.AuditVerification;
import io.pgwarden.core.audit.RecordSource;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code pgwarden audit verify FILE [--key-file F]} or {@code pgwarden audit verify --table T [--stream S] [--url U]}:
 * checks one audit file or one stream of an audit table and names its first broken link.
 */
@Command(name = "verify", mixinStandardHelpOptions = true,
        description = {"Check an audit file's (or an audit table stream's) hash chain and, with --key-file, its checkpoint MACs.",
            "Exits 0 with a summary when intact, 1 with the first broken link (line or seq, and why) when not."})
final class AuditVerifyCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", paramLabel = "FILE", description = "the audit file, e.g. /var/log/pgwarden/audit.jsonl")
    private Path file;

    @Option(names = "--key-file", paramLabel = "F",
            description = "the checkpoint key, as the plugin's checkpoint_key reads it (one trailing newline is ignored, as ${file:} does)")
    private Path keyFile;

    @Option(names = "--table", paramLabel = "SCHEMA.TABLE", description = "verify a stream of this audit table instead of a file")
    private String table;

    @Option(names = "--stream", paramLabel = "NAME", defaultValue = "pgwarden",
            description = "the stream in the table (default: ${DEFAULT-VALUE})")
    private String stream;

    @Option(names = "--url", paramLabel = "URL",
            description = "the audit database, postgresql://user@host:port/db; default: the PGHOST, PGPORT, PGDATABASE and PGUSER variables")
    private String url;

    @Option(names = "--password-file", paramLabel = "F", description = "the database password (one trailing newline is ignored); default: PGPASSWORD")
    private Path passwordFile;

    @Override
    public Integer call() throws IOException {
        if ((file == null) == (table == null)) {
            spec.commandLine().getErr().println("give either FILE or --table SCHEMA.TABLE");
            return ExitCode.USAGE;
        }
        byte[] key = keyFile == null ? null : secret(keyFile).getBytes(StandardCharsets.UTF_8);
        AuditChainVerifier verifier = new AuditChainVerifier(key);
        if (file != null) {
            return report(file.toString(), verifier.verify(file), "line", "the last hash of the previous file");
        }
        AuditDatabase database;
        try {
            AuditTableRecords.requireTableName(table);
            database = AuditDatabase.of(url, System.getenv(), passwordFile == null ? null : secret(passwordFile));
        } catch (IllegalArgumentException e) {
            spec.commandLine().getErr().println(e.getMessage());
            return ExitCode.USAGE;
        }
        String name = table + " stream " + stream;
        try (Connection connection = database.connect();
             AuditTableRecords records = new AuditTableRecords(connection, table, stream)) {
            return report(name, verifier.verify(records, RecordSource.TABLE), "seq", "64 zeros: the stream's start");
        } catch (SQLException | AuditTableRecords.AuditTableException e) {
            spec.commandLine().getErr().println(name + ": cannot be read from " + database + ": " + e.getMessage());
            return ExitCode.RUNTIME_FAILURE;
        }
    }

    private int report(String name, AuditVerification result, String unit, String previous) {
        PrintWriter out = spec.commandLine().getOut();
        if (!result.intact()) {
            spec.commandLine().getErr().println(name + ": BROKEN at " + result.problem().orElseThrow());
            spec.commandLine().getErr().println("  " + result.records() + " records before it are intact");
            return ExitCode.RUNTIME_FAILURE;
        }
        out.println(name + ": intact");
        out.println("  records      " + result.records() + " (header" + (unit.equals("seq") ? "s" : "") + " and "
                + result.checkpoints() + " checkpoints included)");
        out.println("  checkpoints  " + (result.macsVerified() ? "MACs verified" : "MACs NOT verified (no --key-file)"));
        out.println("  previous     " + result.previousHash() + " (" + previous + ")");
        if (result.uncovered() > 0) {
            out.println("  tail         " + result.uncovered() + " records after the last checkpoint are protected by the chain only");
        }
        out.println("  closed       " + (result.closed() ? "yes (ends with a checkpoint)"
                : "no (still being written, or the writer stopped abruptly)"));
        return ExitCode.OK;
    }

    private static String secret(Path path) throws IOException {
        String text = Files.readString(path, StandardCharsets.UTF_8);
        if (text.endsWith("\r\n")) {
            return text.substring(0, text.length() - 2);
        }
        return text.endsWith("\n") ? text.substring(0, text.length() - 1) : text;
    }
}
