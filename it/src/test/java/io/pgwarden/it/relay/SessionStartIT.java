package io.pgwarden.it.relay;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgwarden.core.config.ConfigLoader;
import io.pgwarden.core.server.PgwardenServer;
import io.pgwarden.testkit.EmbeddedPostgres;
import io.pgwarden.testkit.RawMessage;
import io.pgwarden.testkit.RawPgClient;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** What a client sees from its StartupMessage to its first ReadyForQuery, byte for byte. */
class SessionStartIT {

    private static EmbeddedPostgres postgres;
    private static PgwardenServer proxy;

    @BeforeAll
    static void start() throws Exception {
        postgres = EmbeddedPostgres.start();
        proxy = PgwardenServer.start(ConfigLoader.parse("""
                listen: { host: 127.0.0.1, port: 0 }
                backends:
                  pg: { host: 127.0.0.1, port: %d, tls: { mode: disable } }
                auth:
                  rules:
                    - { method: passthrough }
                """.formatted(postgres.port()), Path.of(".")));
    }

    @AfterAll
    static void stop() {
        if (proxy != null) {
            proxy.close();
        }
        if (postgres != null) {
            postgres.close();
        }
    }

    private static RawPgClient connect() throws Exception {
        return RawPgClient.connect("127.0.0.1", proxy.address().getPort());
    }

    @Test
    void newerMinorVersionAndUnknownOptionsAreNegotiatedDownToThreeZero() throws Exception {
        try (RawPgClient client = connect()) {
            Map<String, String> parameters = new LinkedHashMap<>();
            parameters.put("user", "postgres");
            parameters.put("database", "postgres");
            parameters.put("_pq_.made_up_option", "on");
            client.sendStartup((3 << 16) | 2, parameters);
            RawMessage negotiate = client.readMessage();
            assertThat(negotiate.type()).isEqualTo('v');
            ByteBuffer body = ByteBuffer.wrap(negotiate.body());
            assertThat(body.getInt()).as("newest minor version supported").isZero();
            assertThat(body.getInt()).as("number of unrecognized options").isEqualTo(1);
            assertThat(cstring(body)).isEqualTo("_pq_.made_up_option");

            List<RawMessage> startup = client.readUntilReadyForQuery();
            assertThat(startup.get(0).type()).isEqualTo('R');
            assertThat(startup.get(0).int32At(0)).as("AuthenticationOk").isZero();
            client.sendQuery("SELECT 1");
            assertThat(client.readUntilReadyForQuery()).extracting(RawMessage::type).containsExactly('T', 'D', 'C', 'Z');
        }
    }

    @Test
    void clientGetsTheServingServersParametersAndAProxyIssuedKey() throws Exception {
        try (RawPgClient client = connect()) {
            client.sendStartup(Map.of("user", "postgres", "database", "postgres", "application_name", "start-it"));
            List<RawMessage> startup = client.readUntilReadyForQuery();
            Map<String, String> parameters = new LinkedHashMap<>();
            List<RawMessage> keys = new ArrayList<>();
            for (RawMessage message : startup) {
                if (message.type() == 'S') {
                    ByteBuffer body = ByteBuffer.wrap(message.body());
                    parameters.put(cstring(body), cstring(body));
                } else if (message.type() == 'K') {
                    keys.add(message);
                }
            }
            assertThat(parameters).containsEntry("application_name", "start-it").containsKeys("server_version", "TimeZone",
                    "client_encoding", "DateStyle", "integer_datetimes", "standard_conforming_strings");
            assertThat(keys).singleElement().satisfies(key -> assertThat(key.body()).hasSize(8));
            int proxyPid = keys.get(0).int32At(0);

            client.sendQuery("SELECT pg_backend_pid()");
            List<RawMessage> answer = client.readUntilReadyForQuery();
            String serverPid = new String(answer.get(1).body(), 6, answer.get(1).body().length - 6, StandardCharsets.UTF_8);
            assertThat(Integer.parseInt(serverPid)).as("the client never learns the server's key").isNotEqualTo(proxyPid);
            assertThat(startup.get(startup.size() - 1).transactionStatus()).isEqualTo('I');
        }
    }

    @Test
    void missingUserIsRefusedWith28000() throws Exception {
        try (RawPgClient client = connect()) {
            client.sendStartup(Map.of("database", "postgres"));
            RawMessage error = client.readMessage();
            assertThat(error.type()).isEqualTo('E');
            assertThat(error.sqlState()).isEqualTo("28000");
            assertThat(error.message()).isEqualTo("no PostgreSQL user name specified in startup packet");
            assertThat(client.isClosedByPeer(Duration.ofSeconds(5))).isTrue();
        }
    }

    @Test
    void terminateEndsTheServerSessionToo() throws Exception {
        try (RawPgClient client = connect()) {
            client.sendStartup(Map.of("user", "postgres", "database", "postgres", "application_name", "terminate-it"));
            client.readUntilReadyForQuery();
            assertThat(sessionsNamed("terminate-it")).isEqualTo(1);
            client.sendTerminate();
            assertThat(client.isClosedByPeer(Duration.ofSeconds(5))).isTrue();
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (sessionsNamed("terminate-it") > 0 && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(sessionsNamed("terminate-it")).isZero();
    }

    private static int sessionsNamed(String applicationName) throws Exception {
        try (Connection connection = postgres.superuserConnection(); Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery(
                     "SELECT count(*) FROM pg_stat_activity WHERE application_name = '" + applicationName + "'")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    private static String cstring(ByteBuffer buffer) {
        int start = buffer.position();
        while (buffer.get() != 0) {
            // scan to the terminator
        }
        return new String(buffer.array(), start, buffer.position() - start - 1, StandardCharsets.UTF_8);
    }
}
