package io.pgwarden.core.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(180)
class DemoDatabaseIT {

    @Test
    void loadsTheSampleIntoARealServerAndLeavesNothingBehind() throws Exception {
        Path root;
        long pid;
        try (DemoDatabase database = DemoDatabase.start()) {
            root = database.server().root();
            pid = database.server().pid();
            assertThat(ProcessHandle.of(pid)).map(ProcessHandle::isAlive).contains(true);
            try (Connection connection = DriverManager.getConnection(database.server().jdbcUrl(DemoDatabase.NAME));
                 Statement statement = connection.createStatement()) {
                assertThat(single(statement, "SELECT count(*) FROM people")).isEqualTo(SampleData.PEOPLE);
                assertThat(single(statement, "SELECT count(*) FROM orders")).isEqualTo(SampleData.ORDERS);
                assertThat(single(statement, "SELECT count(*) FROM orders o JOIN people p ON p.id = o.person_id"))
                        .isEqualTo(SampleData.ORDERS);
                try (ResultSet rows = statement.executeQuery("SELECT name, email, card_number FROM people WHERE id = 1")) {
                    rows.next();
                    SampleData.Person first = SampleData.people().get(0);
                    assertThat(rows.getString(1)).isEqualTo(first.name());
                    assertThat(rows.getString(2)).isEqualTo(first.email());
                    assertThat(rows.getString(3)).isEqualTo(first.cardNumber());
                }
            }
        }

        assertThat(Files.exists(root)).as("the demo's data folder is deleted").isFalse();
        // pg_ctl waits for the postmaster to finish; its parent (init) may take a moment to reap it
        Optional<ProcessHandle> postmaster = ProcessHandle.of(pid);
        if (postmaster.isPresent()) {
            postmaster.get().onExit().get(10, TimeUnit.SECONDS);
        }
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).as("the postmaster has stopped").isFalse();
    }

    @Test
    void closingTwiceIsHarmless() throws Exception {
        DemoDatabase database = DemoDatabase.start();
        database.close();
        database.close();
        assertThat(Files.exists(database.server().root())).isFalse();
    }

    private static long single(Statement statement, String sql) throws SQLException {
        try (ResultSet rows = statement.executeQuery(sql)) {
            rows.next();
            return rows.getLong(1);
        }
    }
}
