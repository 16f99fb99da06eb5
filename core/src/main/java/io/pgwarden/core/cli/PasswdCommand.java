package io.pgwarden.core.cli;

import io.pgwarden.scram.ScramVerifier;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code pgwarden passwd USER}: a userlist line holding the SCRAM-SHA-256 verifier of a password, as
 * PostgreSQL's {@code password_encryption = scram-sha-256} would store it. The password is never
 * printed; only the verifier is.
 */
@Command(name = "passwd", mixinStandardHelpOptions = true,
        description = {"Print a userlist line with the SCRAM-SHA-256 verifier of a password.",
            "The line, \"USER\" \"SCRAM-SHA-256$...\", is for the scram plugin's userlist",
            "(PgBouncer's auth_file format), or its verifier for ALTER ROLE ... PASSWORD.",
            "At a terminal the password is asked twice with echo off; otherwise the first",
            "line of standard input (UTF-8) is the password. Exits 0 when printed, 2 when",
            "the password is empty or the two do not match."},
        footer = {"%nExamples:",
            "  bin/pgwarden passwd alice >> conf/userlist.txt",
            "  printf '%%s\\n' \"$ALICE_PASSWORD\" | bin/pgwarden passwd --iterations 8192 alice"})
final class PasswdCommand implements Callable<Integer> {

    /** PostgreSQL's NAMEDATALEN - 1: longer role names are truncated by the server. */
    private static final int MAX_NAME_BYTES = 63;

    @Spec
    private CommandSpec spec;

    @Parameters(index = "0", paramLabel = "USER", description = "the user name, as the client sends it")
    private String user;

    @Option(names = "--iterations", paramLabel = "N", converter = IterationsConverter.class,
            defaultValue = "" + ScramVerifier.DEFAULT_ITERATIONS,
            description = "PBKDF2 iterations, 1-" + ScramVerifier.MAX_ITERATIONS
                    + " (default ${DEFAULT-VALUE}, PostgreSQL's scram_iterations default)")
    private int iterations;

    private PasswordInput input;

    /**
     * Replaces where the password is read from (tests; by default the console or standard input).
     *
     * @param input the input
     * @return this command
     */
    PasswdCommand input(PasswordInput input) {
        this.input = input;
        return this;
    }

    @Override
    public Integer call() throws IOException {
        PrintWriter err = spec.commandLine().getErr();
        checkUser();
        if (iterations < ScramVerifier.DEFAULT_ITERATIONS) {
            err.println("warning: " + iterations + " iterations is below PostgreSQL's default of "
                    + ScramVerifier.DEFAULT_ITERATIONS + "; the verifier is cheaper to attack if it leaks");
        }
        PasswordInput source = input != null ? input : PasswordInput.system(err);
        char[] password = null;
        char[] again = null;
        try {
            password = source.read("Password for " + user + ": ");
            if (password == null || password.length == 0) {
                return refuse(err, "empty password refused");
            }
            if (source.interactive()) {
                again = source.read("Enter it again: ");
                if (again == null || !Arrays.equals(password, again)) {
                    return refuse(err, "the passwords do not match");
                }
            }
            String text = new String(password);
            if (text.indexOf('\0') >= 0) {
                return refuse(err, "the password contains a NUL character, which PostgreSQL cannot take");
            }
            String verifier = ScramVerifier.generate(text, iterations).encode();
            spec.commandLine().getOut().println(quote(user) + " " + quote(verifier));
            spec.commandLine().getOut().flush();
            return ExitCode.OK;
        } catch (PasswordInput.UnusableLine e) {
            return refuse(err, e.getMessage());
        } finally {
            if (password != null) {
                Arrays.fill(password, '\0');
            }
            if (again != null) {
                Arrays.fill(again, '\0');
            }
        }
    }

    private void checkUser() {
        if (user.isEmpty()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "USER must not be empty");
        }
        if (user.chars().anyMatch(Character::isISOControl)) {
            // A line break would split the userlist line; PostgreSQL takes no NUL either.
            throw new CommandLine.ParameterException(spec.commandLine(), "USER must not contain control characters");
        }
        if (user.getBytes(StandardCharsets.UTF_8).length > MAX_NAME_BYTES) {
            spec.commandLine().getErr().println("warning: PostgreSQL truncates user names to " + MAX_NAME_BYTES
                    + " bytes; clients log in as the truncated name");
        }
    }

    private static int refuse(PrintWriter err, String why) {
        err.println("pgwarden passwd: " + why + "; nothing printed");
        return ExitCode.USAGE;
    }

    /** A userlist field: in double quotes, a double quote inside doubled (PgBouncer's auth_file). */
    static String quote(String field) {
        return "\"" + field.replace("\"", "\"\"") + "\"";
    }

    /** {@code --iterations}: 1 to {@link ScramVerifier#MAX_ITERATIONS}. */
    static final class IterationsConverter implements CommandLine.ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            try {
                int count = Integer.parseInt(value.trim());
                if (count >= 1 && count <= ScramVerifier.MAX_ITERATIONS) {
                    return count;
                }
            } catch (NumberFormatException e) {
                // reported below with the value as written
            }
            throw new CommandLine.TypeConversionException("expected an iteration count 1-" + ScramVerifier.MAX_ITERATIONS
                    + ", found '" + value + "'");
        }
    }
}
