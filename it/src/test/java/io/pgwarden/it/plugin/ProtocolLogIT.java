package io.pgwarden.it.plugin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.pgwarden.core.config.ConfigLoader;
import io.pgwarden.core.server.PgwardenServer;
import io.pgwarden.testkit.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The protocol-log plugin compiled from its sources into a jar during the test, as a third party
 * would build it, loaded from the proxy's plugins folder, logging what a real client sends.
 */
class ProtocolLogIT {

    private static final Path PLUGIN_SOURCES = Path.of("../plugins/protocol-log/src/main").toAbsolutePath().normalize();

    @TempDir
    static Path temp;

    private static EmbeddedPostgres postgres;
    private static PgwardenServer proxy;
    private static final ListAppender<ILoggingEvent> LOG = new ListAppender<>();
    private static final Logger PLUGIN_LOGGER = (Logger) LoggerFactory.getLogger("pgwarden.plugin.protocol-log");

    @BeforeAll
    static void start() throws Exception {
        Path plugins = Files.createDirectories(temp.resolve("plugins"));
        PluginJarBuilder jar = new PluginJarBuilder("protocol-log").sourceTree(PLUGIN_SOURCES.resolve("java"));
        for (String factory : Files.readAllLines(PLUGIN_SOURCES.resolve("resources/META-INF/services/io.pgwarden.spi.InterceptorFactory"))) {
            if (!factory.isBlank()) {
                jar.factory(factory.trim());
            }
        }
        jar.writeTo(plugins.resolve("protocol-log.jar"));
        LOG.start();
        PLUGIN_LOGGER.addAppender(LOG);
        postgres = EmbeddedPostgres.start();
        String yaml = """
                listen: { host: 127.0.0.1, port: 0 }
                backends:
                  pg: { host: 127.0.0.1, port: %d, tls: { mode: disable } }
                auth:
                  rules:
                    - { method: passthrough }
                plugins_dir: %s
                plugins:
                  - type: protocol-log
                    max_query_length: 60
                """.formatted(postgres.port(), plugins);
        proxy = PgwardenServer.start(ConfigLoader.parse(yaml, temp));
    }

    @AfterAll
    static void stop() {
        PLUGIN_LOGGER.detachAppender(LOG);
        if (proxy != null) {
            proxy.close();
        }
        if (postgres != null) {
            postgres.close();
        }
    }

    private static Connection connect() throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + proxy.address().getPort()
                + "/postgres?user=postgres&sslmode=disable&preferQueryMode=simple");
    }

    private static List<String> lines() {
        // Event loops append while the test reads; AppenderBase.doAppend holds the appender's lock.
        synchronized (LOG) {
            return LOG.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
        }
    }

    @Test
    void logsEachMessageOfASimpleQueryBothWays() throws Exception {
        try (Connection connection = connect(); Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery("SELECT 1 AS id, 'x' AS name")) {
            assertThat(rs.next()).isTrue();
        }

        assertThat(lines()).anySatisfy(line -> assertThat(line).endsWith("→ Query(query=\"SELECT 1 AS id, 'x' AS name\")"));
        assertThat(lines()).anySatisfy(line -> assertThat(line).endsWith("← RowDescription(fields=[id, name])"));
        assertThat(lines()).anySatisfy(line -> assertThat(line).endsWith("← DataRow(columns=2)"));
        assertThat(lines()).anySatisfy(line -> assertThat(line).endsWith("← CommandComplete(tag=SELECT 1)"));
        assertThat(lines()).anySatisfy(line -> assertThat(line).endsWith("← ReadyForQuery(status=IDLE)"));
        assertThat(lines()).allSatisfy(line -> assertThat(line).startsWith("session="));
    }

    @Test
    void neverLogsPasswordsOrParameterValues() throws Exception {
        try (Connection connection = connect(); Statement statement = connection.createStatement()) {
            statement.execute("CREATE ROLE protocol_log_it LOGIN PASSWORD 'do-not-log-me'");
            statement.execute("DROP ROLE protocol_log_it");
        }
        try (Connection connection = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + proxy.address().getPort()
                + "/postgres?user=postgres&sslmode=disable");
             PreparedStatement statement = connection.prepareStatement("SELECT ?::text")) {
            statement.setString(1, "parameter-secret");
            try (ResultSet rs = statement.executeQuery()) {
                assertThat(rs.next()).isTrue();
            }
        }

        assertThat(lines()).anySatisfy(line -> assertThat(line).contains("PASSWORD '[redacted]'"));
        assertThat(lines()).anySatisfy(line -> assertThat(line).contains("→ Bind(").contains("parameters=1"));
        assertThat(lines()).noneSatisfy(line -> assertThat(line).contains("do-not-log-me"));
        assertThat(lines()).noneSatisfy(line -> assertThat(line).contains("parameter-secret"));
    }

    @Test
    void errorsAreLoggedWithTheirSqlState() throws Exception {
        try (Connection connection = connect(); Statement statement = connection.createStatement()) {
            assertThatThrownBy(() -> statement.execute("SELECT * FROM protocol_log_missing"))
                    .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("42P01"));
        }

        assertThat(lines()).anySatisfy(line -> assertThat(line)
                .contains("← ErrorResponse(severity=ERROR, code=42P01, message=\"relation \\\"protocol_log_missing\\\" does not exist\")"));
    }
}
