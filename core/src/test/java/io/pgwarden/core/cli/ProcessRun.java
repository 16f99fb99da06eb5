package io.pgwarden.core.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The {@code pgwarden} command in a child JVM, as bin/pgwarden runs it, with its output read line by line. */
final class ProcessRun implements AutoCloseable {

    private final Process process;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final List<String> seen = new ArrayList<>();

    private ProcessRun(Process process) {
        this.process = process;
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    lines.add(line);
                }
            } catch (IOException e) {
                lines.add("(output unreadable: " + e.getMessage() + ")");
            }
        }, "pgwarden-child-output");
        reader.setDaemon(true);
        reader.start();
    }

    static ProcessRun start(String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"),
                "-Dpgwarden.home=" + Path.of("target").toAbsolutePath(),
                PgwardenCli.class.getName()));
        command.addAll(List.of(args));
        return new ProcessRun(new ProcessBuilder(command).redirectErrorStream(true).start());
    }

    /** Waits for a line matching the pattern and returns its match. */
    Matcher awaitLine(String regex, long seconds) throws InterruptedException {
        Pattern pattern = Pattern.compile(regex);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            String line = lines.poll(100, TimeUnit.MILLISECONDS);
            if (line != null) {
                seen.add(line);
                Matcher matcher = pattern.matcher(line);
                if (matcher.find()) {
                    return matcher;
                }
            }
            if (line == null && !process.isAlive() && lines.isEmpty()) {
                break;
            }
        }
        throw new AssertionError("no line matching " + regex + "; output:\n" + String.join("\n", seen));
    }

    /**
     * Sends SIGTERM, as a service manager would (Ctrl-C's SIGINT runs the same shutdown hooks), and waits
     * for the exit code. The signal goes through {@code kill} because {@link Process#destroy()} also
     * closes the child's output, which the test still reads.
     */
    int terminate(long seconds) throws InterruptedException, IOException {
        Process kill = new ProcessBuilder("kill", "-TERM", Long.toString(process.pid())).inheritIO().start();
        if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
            throw new AssertionError("kill -TERM " + process.pid() + " failed");
        }
        if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
            throw new AssertionError("pgwarden did not stop within " + seconds + "s of SIGTERM");
        }
        return process.exitValue();
    }

    /** Waits for the child to end by itself and returns its exit code. */
    int awaitExit(long seconds) throws InterruptedException {
        if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
            throw new AssertionError("pgwarden did not stop within " + seconds + "s");
        }
        return process.exitValue();
    }

    /** Stops the child politely first, so that a failed test still lets it clean up after itself. */
    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }
}
