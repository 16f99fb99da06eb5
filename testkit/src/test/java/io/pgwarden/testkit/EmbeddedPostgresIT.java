package io.pgwarden.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class EmbeddedPostgresIT {

    @RegisterExtension
    static final EmbeddedPostgresExtension PG = EmbeddedPostgresExtension.with(() -> EmbeddedPostgres.builder()
            .setting("work_mem", "7MB")
            .role("app_owner", "owner-secret", PasswordEncryption.SCRAM_SHA_256)
            .database("app", "app_owner"));

    @Test
    void serverAnswersThroughPgjdbcAsSuperuser() throws SQLException {
        try (Connection connection = PG.server().superuserConnection();
             Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery("SELECT current_user, inet_server_port()")) {
            rs.next();
            assertThat(rs.getString(1)).isEqualTo("postgres");
            assertThat(rs.getInt(2)).isEqualTo(PG.server().port());
        }
    }

    @Test
    void versionMatchesTheBinariesMavenPicked() {
        String expected = System.getProperty("pgwarden.pg.version", "18.6.0");
        String majorMinor = expected.substring(0, expected.lastIndexOf('.'));
        assertThat(PG.server().version()).startsWith(majorMinor);
    }

    @Test
    void settingsFromTheBuilderAreInForce() throws SQLException {
        try (Connection connection = PG.server().superuserConnection();
             Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery("SELECT setting, unit, source FROM pg_settings WHERE name = 'work_mem'")) {
            rs.next();
            assertThat(rs.getString(1) + rs.getString(2)).isEqualTo("7168kB");
            assertThat(rs.getString(3)).isEqualTo("configuration file");
        }
    }

    @Test
    void databaseBelongsToItsOwnerWhoLogsInWithPassword() throws SQLException {
        try (Connection connection = DriverManager.getConnection(PG.server().jdbcUrl("app", "app_owner"),
                "app_owner", "owner-secret");
             Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery(
                     "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = current_database()")) {
            rs.next();
            assertThat(rs.getString(1)).isEqualTo("app_owner");
        }
    }

    @Test
    void closeStopsTheServerAndDeletesItsFilesOnce() {
        EmbeddedPostgres pg = EmbeddedPostgres.start();
        Path data = pg.dataDirectory();
        String url = pg.jdbcUrl("postgres", EmbeddedPostgres.SUPERUSER);
        assertThat(Files.isDirectory(data)).isTrue();

        pg.close();
        pg.close();

        assertThat(Files.exists(data.getParent())).isFalse();
        assertThatThrownBy(() -> DriverManager.getConnection(url + "&connectTimeout=2").close())
                .isInstanceOf(SQLException.class);
    }
}
