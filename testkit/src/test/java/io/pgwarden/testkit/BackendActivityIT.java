package io.pgwarden.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.postgresql.util.PSQLException;

class BackendActivityIT {

    private static final Duration SOON = Duration.ofSeconds(10);

    @RegisterExtension
    static final EmbeddedPostgresExtension PG = EmbeddedPostgresExtension.with(() -> EmbeddedPostgres.builder()
            .role("watched").role("also_watched").role("unwatched"));

    private BackendActivity activity;

    @BeforeEach
    void watch() {
        activity = BackendActivity.of(PG.server(), "watched");
        activity.terminateAll(SOON);
    }

    private static Connection connect() throws SQLException {
        return connect("watched");
    }

    private static Connection connect(String role) throws SQLException {
        return DriverManager.getConnection(PG.server().jdbcUrl("postgres", role) + "&sslmode=disable");
    }

    private static int pid(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery("SELECT pg_backend_pid()")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    @Test
    void showsOnlyTheWatchedRolesProcessesAndTheirState() throws Exception {
        assertThat(activity.processes()).isEmpty();
        try (Connection connection = connect()) {
            int pid = pid(connection);
            assertThat(activity.processes()).singleElement().satisfies(process -> {
                assertThat(process.pid()).isEqualTo(pid);
                assertThat(process.database()).isEqualTo("postgres");
                assertThat(process.state()).isEqualTo("idle");
                assertThat(process.inUse()).isFalse();
            });
            connection.setAutoCommit(false);
            pid(connection);
            assertThat(activity.process(pid).state()).isEqualTo("idle in transaction");
            assertThat(activity.process(pid).inUse()).isTrue();
            assertThat(activity.processes("another_database")).isEmpty();
        }
    }

    @Test
    void watchesSeveralRolesInOneSnapshotAndNoOthers() throws Exception {
        BackendActivity both = BackendActivity.of(PG.server(), "watched", "also_watched");
        both.terminateAll(SOON);
        try (Connection first = connect(); Connection second = connect("also_watched");
             Connection other = connect("unwatched")) {
            assertThat(both.processes()).extracting(BackendActivity.Process::pid)
                    .containsExactlyInAnyOrder(pid(first), pid(second)).doesNotContain(pid(other));
            assertThat(activity.processes()).extracting(BackendActivity.Process::pid).containsExactly(pid(first));

            both.terminateAll(SOON);
            assertThat(pid(other)).as("the unwatched role's process is left alone").isPositive();
            assertThatThrownBy(() -> pid(second)).isInstanceOf(SQLException.class);
        }
    }

    @Test
    void findsARunningStatementAndTerminatesItsProcess() throws Exception {
        try (BackgroundTasks background = new BackgroundTasks(); Connection connection = connect()) {
            Future<Boolean> sleeping = background.submit(() -> {
                try (Statement statement = connection.createStatement()) {
                    return statement.execute("SELECT pg_sleep(30)");
                }
            });
            BackendActivity.Process running = activity.awaitRunning("pg_sleep(30)", SOON);
            assertThat(activity.awaitWaitEvent(running.pid(), "PgSleep", SOON).inUse()).isTrue();

            activity.terminate(running.pid(), SOON);

            assertThat(activity.process(running.pid())).isNull();
            assertThatThrownBy(() -> sleeping.get(SOON.toSeconds(), TimeUnit.SECONDS))
                    .hasCauseInstanceOf(PSQLException.class)
                    .satisfies(e -> assertThat(((PSQLException) e.getCause()).getSQLState()).isEqualTo("57P01"));
        }
    }

    @Test
    void waitingForSomethingThatNeverHappensFailsWithWhatWasSeen() {
        assertThatThrownBy(() -> activity.await("three processes", Duration.ofMillis(200), p -> p.size() == 3))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("three processes").hasMessageContaining("last seen: []");
    }

    @Test
    void crashRestartsTheServerOnTheSamePort() throws Exception {
        try (Connection crashing = connect(); Connection bystander = connect()) {
            int victim = pid(crashing);
            int other = pid(bystander);

            activity.crash(victim);
            activity.awaitExited(other, SOON);
            activity.awaitAcceptingConnections(Duration.ofSeconds(30));

            assertThatThrownBy(() -> pid(bystander)).isInstanceOf(SQLException.class);
            try (Connection after = connect()) {
                assertThat(pid(after)).isNotIn(victim, other);
            }
        }
    }
}
