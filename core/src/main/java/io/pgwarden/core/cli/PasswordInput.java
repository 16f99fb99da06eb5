package io.pgwarden.core.cli;

import java.io.Console;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * Where {@code pgwarden passwd} reads a password from: a terminal, with echo off, where it asks
 * twice; or a pipe, where it reads one line. Passwords are returned as {@code char[]} so that the
 * caller can clear them.
 */
interface PasswordInput {

    /** The longest password line read from a pipe, in bytes: PostgreSQL's longest auth token. */
    int MAX_LINE_BYTES = 65_535;

    /**
     * Tells whether this input is a person at a terminal: then it is prompted, and asked twice.
     *
     * @return true for a terminal
     */
    boolean interactive();

    /**
     * Reads one password.
     *
     * @param prompt what to show first (ignored when not interactive)
     * @return the password without its line end, or null at the end of the input
     * @throws IOException when the input cannot be read or is not a password line
     */
    char[] read(String prompt) throws IOException;

    /**
     * The process's input: {@link System#console()} when there is one; when only standard output is
     * redirected (Java 17 then has no console), the terminal on standard input with echo turned off by
     * {@code stty}; otherwise one line of standard input.
     *
     * @param err where the prompts go when the console cannot show them
     * @return the input
     */
    static PasswordInput system(PrintWriter err) {
        Console console = System.console();
        if (console != null) {
            return new PasswordInput() {
                @Override
                public boolean interactive() {
                    return true;
                }

                @Override
                public char[] read(String prompt) {
                    return console.readPassword("%s", prompt);
                }
            };
        }
        Lines stdin = new Lines(System.in);
        return Stty.standardInputIsTerminal() ? new Stty(stdin, err) : stdin;
    }

    /**
     * Lines of a stream, decoded as UTF-8, one at a time and without reading ahead of the line.
     */
    final class Lines implements PasswordInput {

        private final InputStream in;

        Lines(InputStream in) {
            this.in = Objects.requireNonNull(in, "in");
        }

        @Override
        public boolean interactive() {
            return false;
        }

        @Override
        public char[] read(String prompt) throws IOException {
            byte[] line = new byte[64];
            int length = 0;
            try {
                int b = in.read();
                if (b < 0) {
                    return null;
                }
                while (b >= 0 && b != '\n') {
                    if (length == MAX_LINE_BYTES) {
                        throw new UnusableLine("the password is longer than " + MAX_LINE_BYTES + " bytes");
                    }
                    if (length == line.length) {
                        byte[] longer = Arrays.copyOf(line, Math.min(line.length * 2, MAX_LINE_BYTES));
                        Arrays.fill(line, (byte) 0);
                        line = longer;
                    }
                    line[length++] = (byte) b;
                    b = in.read();
                }
                if (length > 0 && line[length - 1] == '\r') {
                    length--;
                }
                return decode(ByteBuffer.wrap(line, 0, length));
            } finally {
                Arrays.fill(line, (byte) 0);
            }
        }

        private static char[] decode(ByteBuffer bytes) throws IOException {
            try {
                CharBuffer chars = StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(bytes);
                char[] password = new char[chars.remaining()];
                chars.get(password);
                Arrays.fill(chars.array(), '\0');
                return password;
            } catch (CharacterCodingException e) {
                throw new UnusableLine("the password on standard input is not UTF-8");
            }
        }
    }

    /**
     * The terminal on standard input, read with echo turned off by {@code stty} (Java 17 gives no
     * console when standard output is redirected, as in {@code pgwarden passwd alice >> userlist.txt}).
     */
    final class Stty implements PasswordInput {

        private final Lines lines;
        private final PrintWriter err;

        Stty(Lines lines, PrintWriter err) {
            this.lines = lines;
            this.err = err;
        }

        /** POSIX {@code test -t 0} on this process's standard input. */
        static boolean standardInputIsTerminal() {
            try {
                return run(List.of("sh", "-c", "[ -t 0 ]")) == 0;
            } catch (IOException e) {
                return false;
            }
        }

        @Override
        public boolean interactive() {
            return true;
        }

        @Override
        public char[] read(String prompt) throws IOException {
            err.print(prompt);
            err.flush();
            if (run(List.of("stty", "-echo")) != 0) {
                throw new IOException("cannot turn off echo on the terminal (stty -echo failed)");
            }
            // Ctrl-C skips the finally block; the terminal must not be left without echo.
            Thread restore = new Thread(Stty::echoOn, "pgwarden-passwd-echo");
            Runtime.getRuntime().addShutdownHook(restore);
            try {
                return lines.read(prompt);
            } finally {
                echoOn();
                Runtime.getRuntime().removeShutdownHook(restore);
                err.println();
                err.flush();
            }
        }

        private static void echoOn() {
            try {
                run(List.of("stty", "echo"));
            } catch (IOException e) {
                // nothing more to do: stty ran a moment ago
            }
        }

        private static int run(List<String> command) throws IOException {
            Process process = new ProcessBuilder(command)
                    .redirectInput(ProcessBuilder.Redirect.INHERIT)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    return -1;
                }
                return process.exitValue();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
                return -1;
            }
        }
    }

    /** A line that was read but cannot be a password; the message never holds the line. */
    final class UnusableLine extends IOException {

        private static final long serialVersionUID = 1L;

        UnusableLine(String message) {
            super(message);
        }
    }
}
