package io.pgwarden.it.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.pgwarden.scram.ScramVerifier;
import io.pgwarden.testkit.EmbeddedPostgres;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * io.pgwarden.scram.ScramVerifier against the verifiers a live PostgreSQL computes: the same text from
 * the server's salt and iterations, and verifiers we generate let pgjdbc log in with the password.
 */
class ScramVerifierIT {

    /** ASCII, umlauts, NFKC and mapped-to-nothing SASLprep cases, a prohibited character, outside the BMP, quotes. */
    private static final List<String> PASSWORDS = List.of("pencil", " ", "p\u00e4ssw\u00f6rd", "\u2168", "I\u00adX",
            "\u00ad", "\u00e9\u0007", "\ud83d\udd11 key", "it's a \\ test", "\u0627\u0644\u0633\u0631",
            "x".repeat(1000));

    private static EmbeddedPostgres pg;

    @BeforeAll
    static void start() {
        pg = EmbeddedPostgres.builder()
                .hba("host all all 127.0.0.1/32 scram-sha-256")
                .start();
    }

    @AfterAll
    static void stop() {
        pg.close();
    }

    @Test
    void derivingWithTheServersSaltAndIterationsGivesTheServersVerifier() throws SQLException {
        try (Connection connection = pg.superuserConnection(); Statement statement = connection.createStatement()) {
            statement.execute("SET password_encryption = 'scram-sha-256'");
            for (int i = 0; i < PASSWORDS.size(); i++) {
                String password = PASSWORDS.get(i);
                String role = "derived_" + i;
                statement.execute("CREATE ROLE " + role + " LOGIN PASSWORD " + literal(password));
                String serverText = rolpassword(connection, role);
                ScramVerifier server = ScramVerifier.parse(serverText);

                assertThat(server.iterations()).isEqualTo(ScramVerifier.DEFAULT_ITERATIONS);
                assertThat(server.salt()).hasSize(ScramVerifier.SALT_LENGTH);
                assertThat(ScramVerifier.derive(password, server.salt(), server.iterations()).encode()).as(role)
                        .isEqualTo(serverText);
                assertThat(server.matchesPassword(password)).as(role).isTrue();
                assertThat(server.matchesPassword(password + "!")).as(role).isFalse();
            }
        }
    }

    @Test
    void derivingFollowsTheServersScramIterations() throws SQLException {
        try (Connection connection = pg.superuserConnection(); Statement statement = connection.createStatement()) {
            statement.execute("SET password_encryption = 'scram-sha-256'");
            statement.execute("SET scram_iterations = 12345");
            statement.execute("CREATE ROLE iterations_role LOGIN PASSWORD 'p\u00e4ssword'");
            String serverText = rolpassword(connection, "iterations_role");
            ScramVerifier server = ScramVerifier.parse(serverText);

            assertThat(server.iterations()).isEqualTo(12345);
            assertThat(ScramVerifier.derive("p\u00e4ssword", server.salt(), 12345).encode()).isEqualTo(serverText);
        }
    }

    @Test
    void aVerifierWeGenerateLetsTheClientLogInWithThePassword() throws SQLException {
        List<String> passwords = List.of("pencil", "p\u00e4ssw\u00f6rd", "\ud83d\udd11 key", "it's a \\ test");
        try (Connection admin = pg.superuserConnection(); Statement statement = admin.createStatement()) {
            for (int i = 0; i < passwords.size(); i++) {
                String role = "generated_" + i;
                String password = passwords.get(i);
                String ours = ScramVerifier.generate(password, i == 0 ? 10_000 : ScramVerifier.DEFAULT_ITERATIONS).encode();
                statement.execute("CREATE ROLE " + role + " LOGIN");
                // PostgreSQL stores a text that is already a valid verifier as is, instead of hashing it.
                statement.execute("ALTER ROLE " + role + " PASSWORD " + literal(ours));
                assertThat(rolpassword(admin, role)).as(role).isEqualTo(ours);

                try (Connection client = login(role, password); Statement query = client.createStatement();
                     ResultSet rs = query.executeQuery("SELECT current_user")) {
                    rs.next();
                    assertThat(rs.getString(1)).isEqualTo(role);
                }
                SQLException wrong = catchThrowableOfType(() -> login(role, password + "x").close(), SQLException.class);
                assertThat((Throwable) wrong).as(role).isNotNull();
                assertThat(wrong.getSQLState()).as(role).isEqualTo("28P01");
            }
        }
    }

    private static Connection login(String user, String password) throws SQLException {
        Properties properties = new Properties();
        properties.setProperty("password", password);
        properties.setProperty("sslmode", "disable");
        return DriverManager.getConnection(pg.jdbcUrl("postgres", user), properties);
    }

    private static String rolpassword(Connection connection, String role) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement("SELECT rolpassword FROM pg_authid WHERE rolname = ?")) {
            statement.setString(1, role);
            try (ResultSet rs = statement.executeQuery()) {
                assertThat(rs.next()).as(role).isTrue();
                return rs.getString(1);
            }
        }
    }

    /** A SQL string literal (standard_conforming_strings is on: only the quote needs doubling). */
    private static String literal(String text) {
        return "'" + text.replace("'", "''") + "'";
    }
}
