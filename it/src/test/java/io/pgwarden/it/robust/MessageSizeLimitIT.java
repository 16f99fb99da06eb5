package io.pgwarden.it.robust;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgwarden.testkit.ProxyFixture;
import io.pgwarden.testkit.EmbeddedPostgres;
import io.pgwarden.testkit.LeakCheckExtension;
import io.pgwarden.testkit.RawMessage;
import io.pgwarden.testkit.RawPgClient;
import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code limits.max_message_size} bounds only what the proxy must hold whole: a statement nobody inspects
 * streams through however large it is; one an onQuery hook must see is refused when over the limit.
 */
@ExtendWith(LeakCheckExtension.class)
class MessageSizeLimitIT {

    private static final int TEN_MB = 10 * 1024 * 1024;
    private static final String LIMITS = "limits: { max_message_size: 1048576 }";

    private static EmbeddedPostgres postgres;
    private static ProxyFixture withoutQueryHooks;
    private static ProxyFixture withQueryHook;

    @BeforeAll
    static void start() throws Exception {
        postgres = EmbeddedPostgres.start();
        withoutQueryHooks = ProxyConfigs.start(ProxyConfigs.yaml(postgres.port(), "{ mode: disable }", LIMITS));
        withQueryHook = ProxyConfigs.start(ProxyConfigs.yaml(postgres.port(), "{ mode: disable }",
                LIMITS + "\nplugins: [ { type: test-statement-policy } ]"));
    }

    @AfterAll
    static void stop() {
        for (AutoCloseable closeable : new AutoCloseable[] {withoutQueryHooks, withQueryHook, postgres}) {
            if (closeable != null) {
                try {
                    closeable.close();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
        }
    }

    @Test
    void tenMegabyteSimpleQueryPassesThroughWhenNoHookReadsStatements() throws Exception {
        assertThat(lengthOfBigLiteral("preferQueryMode=simple")).isEqualTo(TEN_MB);
    }

    @Test
    void tenMegabyteParsePassesThroughWhenNoHookReadsStatements() throws Exception {
        assertThat(lengthOfBigLiteral("preferQueryMode=extended")).isEqualTo(TEN_MB);
    }

    @ParameterizedTest
    @ValueSource(chars = {'Q', 'P'})
    void statementOverTheLimitIsRefusedWithFatal08P01WhenAHookMustReadIt(char type) throws Exception {
        try (RawPgClient client = RawPgClient.connect("127.0.0.1", withQueryHook.port())) {
            client.sendStartup(Map.of("user", "postgres", "database", "postgres"));
            assertThat(client.readUntilReadyForQuery()).extracting(RawMessage::type).doesNotContain('E');
            // Only the header and a first piece: the limit must be applied before the body is buffered.
            client.send(ByteBuffer.allocate(5 + 4096).put((byte) type).putInt(4 + TEN_MB).array());

            RawMessage error = client.readMessage();
            assertThat(error.type()).as("got %s", error).isEqualTo('E');
            assertThat(error.severity()).isEqualTo("FATAL");
            assertThat(error.sqlState()).isEqualTo("08P01");
            assertThat(client.isClosedByPeer(Duration.ofSeconds(5))).isTrue();
        }
        try (Connection connection = connect(withQueryHook, "preferQueryMode=simple"); Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery("SELECT length(repeat('x', 1000))")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getInt(1)).isEqualTo(1000);
        }
    }

    private static int lengthOfBigLiteral(String mode) throws SQLException {
        try (Connection connection = connect(withoutQueryHooks, mode); Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery(bigStatement())) {
            assertThat(rs.next()).isTrue();
            return rs.getInt(1);
        }
    }

    private static String bigStatement() {
        String prefix = "SELECT length('";
        return prefix + "x".repeat(TEN_MB) + "')";
    }

    private static Connection connect(ProxyFixture proxy, String options) throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + proxy.port()
                + "/postgres?user=postgres&sslmode=disable&" + options);
    }
}
