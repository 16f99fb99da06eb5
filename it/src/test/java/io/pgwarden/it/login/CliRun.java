package io.pgwarden.it.login;

import io.pgwarden.core.cli.PgwardenCli;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.Writer;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import picocli.CommandLine;

/**
 * One {@code pgwarden} command run in-process on its own thread, as a person at a terminal runs it: its standard error
 * is read line by line while it runs (to find the sign-in URL it prints), its standard output is kept whole.
 */
final class CliRun implements AutoCloseable {

    private final ExecutorService thread = Executors.newSingleThreadExecutor(runnable -> {
        Thread worker = new Thread(runnable, "pgwarden-cli-under-test");
        worker.setDaemon(true);
        return worker;
    });
    private final StringWriter out = new StringWriter();
    private final Lines err = new Lines();
    private final Future<Integer> exit;

    private CliRun(List<String> args) {
        CommandLine commandLine = PgwardenCli.commandLine();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        exit = thread.submit(() -> commandLine.execute(args.toArray(String[]::new)));
    }

    /** Starts {@code pgwarden ARGS...}. */
    static CliRun start(List<String> args) {
        return new CliRun(new ArrayList<>(args));
    }

    /** Runs {@code pgwarden ARGS...} to its end (at most a minute). */
    static CliRun run(List<String> args) throws InterruptedException {
        CliRun run = start(args);
        run.exitCode(Duration.ofMinutes(1));
        run.close();
        return run;
    }

    /** The first line of standard error that matches, waiting for it. */
    String awaitLine(Predicate<String> wanted, Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (true) {
            String line = err.lines.poll(100, TimeUnit.MILLISECONDS);
            if (line != null && wanted.test(line)) {
                return line;
            }
            if (line == null && exit.isDone()) {
                throw new AssertionError("the command ended without printing the line; standard error:\n" + err());
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no such line within " + limit + "; standard error so far:\n" + err());
            }
        }
    }

    /** The URL printed after {@code prefix} on a line of standard error. */
    URI awaitUrlAfter(String prefix, Duration limit) throws InterruptedException {
        return URI.create(awaitLine(line -> line.startsWith(prefix), limit).substring(prefix.length()).trim());
    }

    /** The exit code, waiting for the end. */
    int exitCode(Duration limit) throws InterruptedException {
        try {
            return exit.get(limit.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new AssertionError("the command threw", e.getCause());
        } catch (TimeoutException e) {
            throw new AssertionError("the command did not end within " + limit + "; standard error:\n" + err(), e);
        }
    }

    /** Standard output so far. */
    String out() {
        return out.toString();
    }

    /** Standard error so far. */
    String err() {
        synchronized (err) {
            return err.all.toString();
        }
    }

    /** Stops a command still running (interrupting its wait) and the thread. */
    @Override
    public void close() {
        exit.cancel(true);
        thread.shutdownNow();
    }

    /** Standard error: kept whole and handed out line by line. */
    private static final class Lines extends Writer {
        private final StringBuilder all = new StringBuilder();
        private final StringBuilder line = new StringBuilder();
        private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

        @Override
        public synchronized void write(char[] chars, int offset, int length) {
            for (int i = offset; i < offset + length; i++) {
                char c = chars[i];
                all.append(c);
                if (c == '\n') {
                    lines.add(line.toString().replace("\r", ""));
                    line.setLength(0);
                } else {
                    line.append(c);
                }
            }
        }

        @Override
        public void flush() {
            // every character is handed out as it comes
        }

        @Override
        public void close() {
            // nothing held
        }
    }
}
