package io.pgwarden.it.hooks;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgwarden.it.robust.ProxyConfigs;
import io.pgwarden.testkit.Closeables;
import io.pgwarden.testkit.EmbeddedPostgres;
import io.pgwarden.testkit.LeakCheckExtension;
import io.pgwarden.testkit.ProxyFixture;
import io.pgwarden.testkit.RawMessage;
import io.pgwarden.testkit.RawPgClient;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The FunctionCall message runs a function by its OID, without SQL text: statement interceptors
 * would never see it, so while one is active the proxy refuses it (by the server, keeping
 * PostgreSQL's transaction state); without one it is relayed.
 */
@ExtendWith(LeakCheckExtension.class)
class FunctionCallIT {

    private static EmbeddedPostgres postgres;
    private static ProxyFixture intercepted;
    private static ProxyFixture plain;
    private static int setConfigOid;

    @BeforeAll
    static void start() throws Exception {
        postgres = EmbeddedPostgres.start();
        intercepted = ProxyConfigs.start(ProxyConfigs.yaml(postgres.port(), "{ mode: disable }",
                "plugins: [ { type: test-statement-policy } ]"));
        plain = ProxyConfigs.start(ProxyConfigs.yaml(postgres.port(), "{ mode: disable }", "plugins: []"));
        try (RawPgClient client = loggedIn(plain)) {
            client.sendQuery("SELECT 'pg_catalog.set_config(text,text,boolean)'::regprocedure::oid");
            setConfigOid = Integer.parseInt(firstValue(client.readUntilReadyForQuery()));
        }
    }

    @AfterAll
    static void stop() throws Exception {
        Closeables.closeAll(intercepted, plain, postgres);
    }

    @Test
    void functionCallIsRefusedWhileStatementInterceptorsAreActiveAndTheSessionGoesOn() throws Exception {
        try (RawPgClient client = loggedIn(intercepted)) {
            client.sendMessage('F', setConfig("application_name", "changed_by_oid"));
            List<RawMessage> answer = client.readUntilReadyForQuery();

            assertThat(answer).extracting(RawMessage::type).containsExactly('E', 'Z');
            String error = new String(answer.get(0).body(), StandardCharsets.UTF_8);
            assertThat(error).contains("C0A000\0").contains("FunctionCall message");
            assertThat(answer.get(1).transactionStatus()).isEqualTo('I');

            client.sendQuery("SHOW application_name");
            assertThat(firstValue(client.readUntilReadyForQuery())).isNotEqualTo("changed_by_oid");
        }
    }

    @Test
    void functionCallRefusedInsideATransactionAbortsItAsPostgresWould() throws Exception {
        try (RawPgClient client = loggedIn(intercepted)) {
            client.sendQuery("BEGIN");
            client.readUntilReadyForQuery();
            client.sendMessage('F', setConfig("application_name", "changed_by_oid"));
            List<RawMessage> answer = client.readUntilReadyForQuery();

            assertThat(answer).extracting(RawMessage::type).containsExactly('E', 'Z');
            assertThat(answer.get(1).transactionStatus()).isEqualTo('E');
            client.sendQuery("ROLLBACK");
            assertThat(client.readUntilReadyForQuery()).last().extracting(RawMessage::transactionStatus).isEqualTo('I');
        }
    }

    @Test
    void functionCallIsRelayedWithoutStatementInterceptors() throws Exception {
        try (RawPgClient client = loggedIn(plain)) {
            client.sendMessage('F', setConfig("application_name", "changed_by_oid"));
            List<RawMessage> answer = client.readUntilReadyForQuery();

            // FunctionCallResponse, then the ParameterStatus a changed application_name reports.
            assertThat(answer).extracting(RawMessage::type).containsExactly('V', 'S', 'Z');
            client.sendQuery("SHOW application_name");
            assertThat(firstValue(client.readUntilReadyForQuery())).isEqualTo("changed_by_oid");
        }
    }

    /** FunctionCall of set_config(name, value, false) with text arguments and a text result. */
    private static byte[] setConfig(String name, String value) {
        byte[][] arguments = {name.getBytes(StandardCharsets.UTF_8), value.getBytes(StandardCharsets.UTF_8),
                "false".getBytes(StandardCharsets.UTF_8)};
        int size = 4 + 2 + 2 + 2;
        for (byte[] argument : arguments) {
            size += 4 + argument.length;
        }
        ByteBuffer body = ByteBuffer.allocate(size);
        body.putInt(setConfigOid).putShort((short) 0).putShort((short) arguments.length);
        for (byte[] argument : arguments) {
            body.putInt(argument.length).put(argument);
        }
        body.putShort((short) 0);
        return body.array();
    }

    private static String firstValue(List<RawMessage> messages) {
        RawMessage row = messages.stream().filter(m -> m.type() == 'D').findFirst().orElseThrow();
        ByteBuffer body = ByteBuffer.wrap(row.body());
        body.getShort();
        byte[] value = new byte[body.getInt()];
        body.get(value);
        return new String(value, StandardCharsets.UTF_8);
    }

    private static RawPgClient loggedIn(ProxyFixture proxy) throws Exception {
        RawPgClient client = RawPgClient.connect("127.0.0.1", proxy.port());
        client.sendStartup(Map.of("user", "postgres", "database", "postgres"));
        assertThat(client.readUntilReadyForQuery()).extracting(RawMessage::type).doesNotContain('E');
        return client;
    }
}
