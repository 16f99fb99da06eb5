package io.pgwarden.testkit;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;

/**
 * What an {@link EmbeddedPostgres} sees of the connections of one role or a few, read from {@code pg_stat_activity}
 * over the superuser's own direct connection: the ground truth a pooling test checks the proxy against (how many server
 * connections exist, whether one is idle or idle in transaction, which one runs a statement).
 *
 * <p>Every query opens and closes its own superuser connection to database {@code postgres}; that connection is
 * not a watched role's, so it never shows up in what is returned. One call of {@link #processes()} is one query,
 * so what it returns for several roles is one snapshot: a count over two roles taken from two watchers would add
 * up two different moments.
 */
public final class BackendActivity {

    private static final String QUERY = """
            SELECT pid, datname, state, wait_event, query
            FROM pg_stat_activity
            WHERE usename = ANY (?) AND backend_type = 'client backend' AND pid <> pg_backend_pid()
            ORDER BY backend_start, pid""";

    private static final Duration POLL = Duration.ofMillis(50);

    private final EmbeddedPostgres server;
    private final List<String> users;

    private BackendActivity(EmbeddedPostgres server, List<String> users) {
        this.server = server;
        this.users = users;
    }

    /** Watches the connections of {@code user}, and of each of {@code others}, on {@code server}. */
    public static BackendActivity of(EmbeddedPostgres server, String user, String... others) {
        List<String> users = new ArrayList<>();
        users.add(Objects.requireNonNull(user, "user"));
        for (String other : others) {
            users.add(Objects.requireNonNull(other, "other user"));
        }
        return new BackendActivity(Objects.requireNonNull(server, "server"), List.copyOf(users));
    }

    /**
     * One server process of a watched role.
     *
     * @param pid the backend's process id, as {@code pg_backend_pid()} returns it
     * @param database the database it is connected to
     * @param state {@code idle}, {@code active}, {@code idle in transaction}, ... or null while starting
     * @param waitEvent what it waits for, e.g. {@code PgSleep} or {@code ClientRead}, or null
     * @param query the last statement it ran or runs
     */
    public record Process(int pid, String database, String state, String waitEvent, String query) {

        /** Whether a client transaction holds it: {@code active} or {@code idle in transaction} (aborted too). */
        public boolean inUse() {
            return state != null && (state.equals("active") || state.startsWith("idle in transaction"));
        }
    }

    /** The watched roles' server processes now, in one snapshot, oldest first. */
    public List<Process> processes() {
        try (Connection connection = server.superuserConnection();
             PreparedStatement statement = connection.prepareStatement(QUERY)) {
            statement.setArray(1, watched(connection));
            List<Process> processes = new ArrayList<>();
            try (ResultSet rs = statement.executeQuery()) {
                while (rs.next()) {
                    processes.add(new Process(rs.getInt(1), rs.getString(2), rs.getString(3), rs.getString(4),
                            rs.getString(5)));
                }
            }
            return processes;
        } catch (SQLException e) {
            throw new IllegalStateException("could not read pg_stat_activity: " + e.getMessage(), e);
        }
    }

    /** The watched roles' server processes connected to {@code database}. */
    public List<Process> processes(String database) {
        return processes().stream().filter(process -> database.equals(process.database())).toList();
    }

    /** The process with this pid, or null when it has gone. */
    public Process process(int pid) {
        return processes().stream().filter(process -> process.pid() == pid).findFirst().orElse(null);
    }

    /**
     * Polls until {@code condition} holds for the watched roles' processes and returns them.
     *
     * @param what the condition in words, for the failure message
     * @throws AssertionError with the last processes seen when {@code within} passes first
     */
    public List<Process> await(String what, Duration within, Predicate<List<Process>> condition) {
        long deadline = System.nanoTime() + within.toNanos();
        List<Process> last = processes();
        while (!condition.test(last)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("pg_stat_activity of " + users + " never showed " + what + " within "
                        + within + "; last seen: " + last);
            }
            pause();
            last = processes();
        }
        return last;
    }

    /** Polls until the process {@code pid} waits on {@code waitEvent} (e.g. {@code PgSleep}) and returns it. */
    public Process awaitWaitEvent(int pid, String waitEvent, Duration within) {
        return await("pid " + pid + " waiting on " + waitEvent, within,
                processes -> processes.stream().anyMatch(p -> p.pid() == pid && waitEvent.equals(p.waitEvent())))
                .stream().filter(p -> p.pid() == pid).findFirst().orElseThrow();
    }

    /** Polls until a process runs a statement containing {@code text} (and not this query itself) and returns it. */
    public Process awaitRunning(String text, Duration within) {
        Predicate<Process> running = p -> "active".equals(p.state()) && p.query() != null && p.query().contains(text);
        return await("a statement containing '" + text + "' running", within,
                processes -> processes.stream().anyMatch(running))
                .stream().filter(running).findFirst().orElseThrow();
    }

    /** Polls until the process {@code pid} has gone. */
    public void awaitGone(int pid, Duration within) {
        await("pid " + pid + " gone", within, processes -> processes.stream().noneMatch(p -> p.pid() == pid));
    }

    /**
     * Ends the server process {@code pid} the way an administrator does ({@code pg_terminate_backend}; it sends
     * its client FATAL {@code 57P01} and closes) and waits until it has gone.
     */
    public void terminate(int pid, Duration within) {
        try (Connection connection = server.superuserConnection();
             PreparedStatement statement = connection.prepareStatement("SELECT pg_terminate_backend(?)")) {
            statement.setInt(1, pid);
            try (ResultSet rs = statement.executeQuery()) {
                rs.next();
                if (!rs.getBoolean(1)) {
                    throw new AssertionError("pg_terminate_backend(" + pid + ") found no such process");
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("could not terminate " + pid + ": " + e.getMessage(), e);
        }
        awaitGone(pid, within);
    }

    /** Terminates every process of the watched roles and waits until they have gone, so a test starts from nothing. */
    public void terminateAll(Duration within) {
        try (Connection connection = server.superuserConnection();
             PreparedStatement statement = connection.prepareStatement(
                     "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = ANY (?)")) {
            statement.setArray(1, watched(connection));
            statement.executeQuery().close();
        } catch (SQLException e) {
            throw new IllegalStateException("could not terminate the processes of " + users + ": " + e.getMessage(), e);
        }
        await("no processes", within, List::isEmpty);
    }

    /**
     * Kills the server process {@code pid} with SIGKILL, as the kernel's OOM killer would. PostgreSQL answers with
     * a crash restart on the same port ({@code restart_after_crash}, on by default): every other connection is
     * ended (FATAL {@code 57P02} or a bare close), the server refuses logins while it recovers, then accepts again.
     * Call {@link #awaitAcceptingConnections} before anything else needs the server.
     */
    public void crash(int pid) {
        ProcessHandle process = ProcessHandle.of(pid)
                .orElseThrow(() -> new AssertionError("no process " + pid + " to crash"));
        if (!process.destroyForcibly()) {
            throw new IllegalStateException("could not send SIGKILL to server process " + pid);
        }
    }

    /**
     * Waits until the operating system process {@code pid} has exited, for when pg_stat_activity cannot be read
     * (during a crash restart).
     */
    public void awaitExited(int pid, Duration within) {
        ProcessHandle.of(pid).ifPresent(process -> {
            try {
                process.onExit().get(within.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                throw new AssertionError("server process " + pid + " still runs after " + within, e);
            } catch (ExecutionException e) {
                throw new IllegalStateException("waiting for process " + pid + " failed", e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for process " + pid, e);
            }
        });
    }

    /** Polls until the server accepts a superuser login again (after a crash restart). */
    public void awaitAcceptingConnections(Duration within) {
        long deadline = System.nanoTime() + within.toNanos();
        while (true) {
            try (Connection connection = server.superuserConnection()) {
                if (connection.isValid(5)) {
                    return;
                }
            } catch (SQLException e) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("the server did not accept connections again within " + within
                            + ": " + e.getMessage() + "\nserver log:\n" + server.serverLog(), e);
                }
                pause();
            }
        }
    }

    private Array watched(Connection connection) throws SQLException {
        return connection.createArrayOf("text", users.toArray());
    }

    private static void pause() {
        try {
            Thread.sleep(POLL.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while polling pg_stat_activity", e);
        }
    }
}
