package io.pgwarden.it.clients;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgwarden.testkit.EmbeddedPostgres;
import io.pgwarden.testkit.LeakCheckExtension;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.postgresql.PGConnection;

/** Session parameters through the proxy: startup parameters reach the server, ParameterStatus reaches the client. */
@ExtendWith(LeakCheckExtension.class)
class PgjdbcSessionParametersIT {

    private static ProxiedPostgres pg;

    @BeforeAll
    static void start() {
        pg = ProxiedPostgres.start(EmbeddedPostgres.builder(), ProxiedPostgres.PASSTHROUGH_FOR_ALL);
    }

    @AfterAll
    static void stop() {
        if (pg != null) {
            pg.close();
        }
    }

    @Test
    void optionsStartupParameterReachesTheServer() throws Exception {
        try (Connection connection = pg.viaProxy("options=" + URLEncoder.encode("-c search_path=pg_catalog,public "
                + "-c statement_timeout=4321", StandardCharsets.UTF_8))) {
            assertThat(Rows.query(connection, "SELECT current_setting('search_path'), current_setting('statement_timeout')"))
                    .containsExactly(List.of("pg_catalog,public", "4321ms"));
        }
    }

    @Test
    void parameterStatusAtStartupMatchesADirectConnection() throws Exception {
        try (Connection proxied = pg.viaProxy("ApplicationName=itclients");
             Connection direct = pg.direct("ApplicationName=itclients")) {
            Map<String, String> viaProxy = proxied.unwrap(PGConnection.class).getParameterStatuses();
            assertThat(viaProxy).containsEntry("application_name", "itclients").containsKey("server_version");
            assertThat(viaProxy).isEqualTo(direct.unwrap(PGConnection.class).getParameterStatuses());
        }
    }

    @Test
    void settingsChangedInTheSessionAreReportedToTheClient() throws Exception {
        try (Connection connection = pg.viaProxy(""); Statement statement = connection.createStatement()) {
            statement.execute("SET TimeZone TO 'Asia/Tokyo'");
            statement.execute("SET application_name TO 'renamed by SET'");
            PGConnection pgConnection = connection.unwrap(PGConnection.class);
            assertThat(pgConnection.getParameterStatus("TimeZone")).isEqualTo("Asia/Tokyo");
            assertThat(pgConnection.getParameterStatus("application_name")).isEqualTo("renamed by SET");
            assertThat(Rows.scalar(connection, "SELECT application_name FROM pg_stat_activity WHERE pid = pg_backend_pid()"))
                    .isEqualTo("renamed by SET");
        }
    }
}
