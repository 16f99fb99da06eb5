package io.pgwarden.core.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgwarden.scram.ScramVerifier;
import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class PasswdCommandTest {

    private static final String SECRET = "c0rrect-h0rse";
    private static final Pattern LINE = Pattern.compile("\"(.*)\" \"(SCRAM-SHA-256\\$[^\"]+)\"\n");

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(PasswordInput input, String... args) {
        CommandLine commandLine = PgwardenCli.commandLine();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        ((PasswdCommand) commandLine.getSubcommands().get("passwd").getCommand()).input(input);
        return commandLine.execute(args);
    }

    private static PasswordInput stdin(byte[] bytes) {
        return new PasswordInput.Lines(new ByteArrayInputStream(bytes));
    }

    private static PasswordInput stdin(String text) {
        return stdin(text.getBytes(StandardCharsets.UTF_8));
    }

    /** The verifier of the one line printed, after checking the line's form and user field. */
    private ScramVerifier printedVerifier(String user) {
        Matcher line = LINE.matcher(out.toString());
        assertThat(line.matches()).as(out.toString()).isTrue();
        assertThat(line.group(1)).isEqualTo(user);
        return ScramVerifier.parse(line.group(2));
    }

    /** A person at a terminal who types the given answers in turn; records the prompts. */
    private static final class Typist implements PasswordInput {
        final List<String> prompts = new ArrayList<>();
        final List<char[]> handedOut = new ArrayList<>();
        private final Deque<String> answers;

        Typist(String... answers) {
            this.answers = new ArrayDeque<>(Arrays.asList(answers));
        }

        @Override
        public boolean interactive() {
            return true;
        }

        @Override
        public char[] read(String prompt) {
            prompts.add(prompt);
            String answer = answers.poll();
            if (answer == null) {
                return null;
            }
            char[] chars = answer.toCharArray();
            handedOut.add(chars);
            return chars;
        }
    }

    private static final PasswordInput NEVER_READ = new PasswordInput() {
        @Override
        public boolean interactive() {
            return true;
        }

        @Override
        public char[] read(String prompt) {
            throw new AssertionError("the password must not be asked for");
        }
    };

    @Test
    void pipedPasswordPrintsAUserlistLineWhoseVerifierChecksThePassword() {
        assertThat(run(stdin(SECRET + "\n"), "passwd", "alice")).isZero();

        ScramVerifier verifier = printedVerifier("alice");
        assertThat(verifier.iterations()).isEqualTo(4096);
        assertThat(verifier.salt()).hasSize(ScramVerifier.SALT_LENGTH);
        assertThat(verifier.matchesPassword(SECRET)).isTrue();
        assertThat(verifier.matchesPassword(SECRET + "\n")).isFalse();
        assertThat(verifier.matchesPassword("c0rrect-h0rsE")).isFalse();
        assertThat(out.toString()).doesNotContain(SECRET);
        assertThat(err.toString()).isEmpty();
    }

    @Test
    void eachRunUsesANewSalt() {
        assertThat(run(stdin(SECRET), "passwd", "alice")).isZero();
        String first = out.toString();
        out.getBuffer().setLength(0);
        assertThat(run(stdin(SECRET), "passwd", "alice")).isZero();
        assertThat(out.toString()).isNotEqualTo(first);
    }

    @Test
    void pipedLineMayEndWithCrLfOrTheEndOfInputAndOnlyTheFirstLineCounts() {
        for (String input : List.of(SECRET, SECRET + "\r\n", SECRET + "\nsomething else\n")) {
            out.getBuffer().setLength(0);
            assertThat(run(stdin(input), "passwd", "alice")).as(input).isZero();
            assertThat(printedVerifier("alice").matchesPassword(SECRET)).as(input).isTrue();
        }
    }

    @Test
    void pipedPasswordIsReadAsUtf8() {
        assertThat(run(stdin("p\u00e4ssw\u00f6rd \ud83d\udd11\n"), "passwd", "j\u00fcrgen")).isZero();
        assertThat(printedVerifier("j\u00fcrgen").matchesPassword("p\u00e4ssw\u00f6rd \ud83d\udd11")).isTrue();
    }

    @Test
    void pipedBytesThatAreNotUtf8AreRefused() {
        assertThat(run(stdin(new byte[] {'a', (byte) 0xe4, 'b', '\n'}), "passwd", "alice")).isEqualTo(2);
        assertThat(err.toString()).isEqualTo("pgwarden passwd: the password on standard input is not UTF-8; nothing printed\n");
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void emptyPasswordIsRefusedWhetherPipedOrTyped() {
        for (String input : List.of("", "\n", "\r\n", "\nsecond line\n")) {
            err.getBuffer().setLength(0);
            assertThat(run(stdin(input), "passwd", "alice")).as(input).isEqualTo(2);
            assertThat(err.toString()).as(input).isEqualTo("pgwarden passwd: empty password refused; nothing printed\n");
        }
        Typist typist = new Typist("");
        assertThat(run(typist, "passwd", "alice")).isEqualTo(2);
        assertThat(typist.prompts).as("not asked twice").containsExactly("Password for alice: ");
        Typist endOfInput = new Typist();
        assertThat(run(endOfInput, "passwd", "alice")).isEqualTo(2);
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void overlongPipedLineIsRefused() {
        byte[] longest = new byte[PasswordInput.MAX_LINE_BYTES];
        Arrays.fill(longest, (byte) 'x');
        assertThat(run(stdin(longest), "passwd", "alice")).isZero();
        assertThat(printedVerifier("alice").matchesPassword("x".repeat(PasswordInput.MAX_LINE_BYTES))).isTrue();

        out.getBuffer().setLength(0);
        byte[] tooLong = Arrays.copyOf(longest, longest.length + 1);
        tooLong[tooLong.length - 1] = 'x';
        assertThat(run(stdin(tooLong), "passwd", "alice")).isEqualTo(2);
        assertThat(err.toString()).contains("the password is longer than 65535 bytes");
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void passwordWithNulIsRefused() {
        assertThat(run(stdin("ab\0cd\n"), "passwd", "alice")).isEqualTo(2);
        assertThat(err.toString()).contains("NUL character");
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void terminalAsksTwiceAndPrintsWhenBothMatch() {
        Typist typist = new Typist(SECRET, SECRET);

        assertThat(run(typist, "passwd", "alice")).isZero();

        assertThat(typist.prompts).containsExactly("Password for alice: ", "Enter it again: ");
        assertThat(printedVerifier("alice").matchesPassword(SECRET)).isTrue();
        assertThat(typist.handedOut).allSatisfy(chars -> assertThat(new String(chars)).as("cleared").isEqualTo("\0".repeat(SECRET.length())));
        assertThat(err.toString()).isEmpty();
    }

    @Test
    void terminalRefusesTwoDifferentPasswords() {
        for (Typist typist : List.of(new Typist(SECRET, SECRET + " "), new Typist(SECRET, "other"), new Typist(SECRET))) {
            err.getBuffer().setLength(0);
            assertThat(run(typist, "passwd", "alice")).isEqualTo(2);
            assertThat(err.toString()).isEqualTo("pgwarden passwd: the passwords do not match; nothing printed\n");
        }
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void quotesInTheUserNameAreDoubledLikePgBouncersAuthFile() {
        assertThat(run(stdin(SECRET), "passwd", "we\"ird \"\"name")).isZero();
        assertThat(out.toString()).startsWith("\"we\"\"ird \"\"\"\"name\" \"SCRAM-SHA-256$");
        assertThat(printedVerifier("we\"\"ird \"\"\"\"name").matchesPassword(SECRET)).isTrue();
    }

    @Test
    void iterationsCanBeRaised() {
        assertThat(run(stdin(SECRET), "passwd", "--iterations", "10000", "alice")).isZero();
        ScramVerifier verifier = printedVerifier("alice");
        assertThat(verifier.iterations()).isEqualTo(10000);
        assertThat(verifier.matchesPassword(SECRET)).isTrue();
        assertThat(err.toString()).isEmpty();
    }

    @Test
    void iterationsBelowPostgresDefaultAreAllowedWithAWarning() {
        assertThat(run(stdin(SECRET), "passwd", "alice", "--iterations=1")).isZero();
        assertThat(printedVerifier("alice").iterations()).isEqualTo(1);
        assertThat(err.toString()).isEqualTo("warning: 1 iterations is below PostgreSQL's default of 4096; "
                + "the verifier is cheaper to attack if it leaks\n");
    }

    @Test
    void iterationsOutsideTheRangeAreUsageErrorsAndNothingIsAsked() {
        for (String count : List.of("0", "-1", "10000001", "many", "")) {
            err.getBuffer().setLength(0);
            assertThat(run(NEVER_READ, "passwd", "--iterations", count, "alice")).as(count).isEqualTo(2);
            assertThat(err.toString()).as(count).contains("Invalid value for option '--iterations': "
                    + "expected an iteration count 1-10000000, found '" + count + "'");
        }
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void userIsRequiredAndMustFitOnOneLine() {
        assertThat(run(NEVER_READ, "passwd")).isEqualTo(2);
        assertThat(err.toString()).contains("Missing required parameter: 'USER'");
        assertThat(run(NEVER_READ, "passwd", "")).isEqualTo(2);
        assertThat(err.toString()).contains("USER must not be empty");
        assertThat(run(NEVER_READ, "passwd", "ali\nce")).isEqualTo(2);
        assertThat(run(NEVER_READ, "passwd", "alice\r")).isEqualTo(2);
        assertThat(err.toString()).contains("USER must not contain control characters");
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void userNamesLongerThanPostgresTakesGetAWarning() {
        String name = "u".repeat(64);
        assertThat(run(stdin(SECRET), "passwd", name)).isZero();
        assertThat(err.toString()).contains("warning: PostgreSQL truncates user names to 63 bytes");
        assertThat(printedVerifier(name).matchesPassword(SECRET)).isTrue();
    }

    @Test
    void passwordNeverReachesStandardError() {
        run(new Typist(SECRET, SECRET + "!"), "passwd", "alice");
        run(stdin(SECRET + "\0\n"), "passwd", "alice");
        run(stdin(SECRET), "passwd", "--iterations", "2", "alice");
        assertThat(err.toString()).isNotEmpty().doesNotContain(SECRET);
    }

    @Test
    void helpExplainsInputAndExitCodes() {
        StringWriter help = new StringWriter();
        CommandLine commandLine = PgwardenCli.commandLine();
        commandLine.setOut(new PrintWriter(help, true));
        assertThat(commandLine.execute("passwd", "--help")).isZero();
        assertThat(help.toString()).contains("Usage: pgwarden passwd", "--iterations=N", "default 4096", "echo off",
                "bin/pgwarden passwd alice >> conf/userlist.txt", "printf '%s\\n'");
        assertThat(run(NEVER_READ)).isEqualTo(2);
        assertThat(err.toString()).contains("passwd");
    }
}
