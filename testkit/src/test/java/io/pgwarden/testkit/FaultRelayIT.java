package io.pgwarden.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Faults observed through pgjdbc and the raw client, against a real PostgreSQL. */
class FaultRelayIT {

    @RegisterExtension
    static final EmbeddedPostgresExtension PG = new EmbeddedPostgresExtension();

    private FaultRelay relay;

    @BeforeEach
    void startRelay() {
        relay = FaultRelay.start(PG.server().host(), PG.server().port());
    }

    @AfterEach
    void closeRelay() {
        relay.close();
    }

    @Test
    void queriesWorkThroughTheRelayWithoutFaults() throws SQLException {
        try (Connection connection = connect()) {
            assertThat(selectOne(connection)).isEqualTo(1);
        }
    }

    @Test
    void delaySlowsEveryRoundTrip() throws SQLException {
        try (Connection connection = connect()) {
            relay.delay(Duration.ofMillis(200));
            long start = System.nanoTime();
            selectOne(connection);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(400));
        }
    }

    @Test
    void stalledQueryCompletesAfterResume() throws Exception {
        try (Connection connection = connect()) {
            relay.stall();
            CompletableFuture<Integer> result = CompletableFuture.supplyAsync(() -> {
                try {
                    return selectOne(connection);
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            });
            assertThatThrownBy(() -> result.get(500, TimeUnit.MILLISECONDS)).isInstanceOf(TimeoutException.class);

            relay.resume();
            assertThat(result.get(10, TimeUnit.SECONDS)).isEqualTo(1);
        }
    }

    @Test
    void cutAllBreaksAnOpenConnectionWithAConnectionFailure() throws SQLException {
        try (Connection connection = connect()) {
            selectOne(connection);
            relay.cutAll();
            assertThatThrownBy(() -> selectOne(connection))
                    .isInstanceOf(SQLException.class)
                    .satisfies(e -> assertThat(((SQLException) e).getSQLState()).startsWith("08"));
        }
    }

    @Test
    void cutAfterBytesEndsTheStartupHalfway() throws Exception {
        relay.cutAfterBytes(20);
        try (RawPgClient client = RawPgClient.connect(relay.host(), relay.port())) {
            client.sendStartup(Map.of("user", "postgres", "database", "postgres"));
            assertThatThrownBy(client::readUntilReadyForQuery).isInstanceOf(java.io.IOException.class);
        }
    }

    @Test
    void rawClientSeesTheCutAsClosedByPeer() throws Exception {
        try (RawPgClient client = RawPgClient.connect(relay.host(), relay.port())) {
            client.sendStartup(Map.of("user", "postgres", "database", "postgres"));
            client.readUntilReadyForQuery();
            relay.cutAll();
            assertThat(client.isClosedByPeer(Duration.ofSeconds(5))).isTrue();
        }
    }

    private Connection connect() throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://" + relay.host() + ":" + relay.port()
                + "/postgres?user=postgres&sslmode=disable&socketTimeout=20&connectTimeout=10");
    }

    private static int selectOne(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement(); ResultSet rs = statement.executeQuery("SELECT 1")) {
            rs.next();
            return rs.getInt(1);
        }
    }
}
