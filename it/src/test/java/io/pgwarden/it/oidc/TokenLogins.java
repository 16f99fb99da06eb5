package io.pgwarden.it.oidc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.pgwarden.testkit.ProxyFixture;
import io.pgwarden.testkit.RawMessage;
import io.pgwarden.testkit.RawPgClient;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.postgresql.util.PSQLException;

/** pgjdbc logins through a proxy with a token as the password, as DBeaver or a JDBC tool would send it. */
final class TokenLogins {

    private TokenLogins() {
    }

    /** Connects over TLS ({@code sslmode=require}: encrypted, server not verified) with the token as the password. */
    static Connection connect(ProxyFixture proxy, String database, String user, String token) throws SQLException {
        return connect(proxy, database, user, token, "require");
    }

    static Connection connect(ProxyFixture proxy, String database, String user, String token, String sslmode)
            throws SQLException {
        return connect(proxy, database, user, token, sslmode, Map.of());
    }

    /** Like {@link #connect(ProxyFixture, String, String, String, String)} with more pgjdbc properties. */
    static Connection connect(ProxyFixture proxy, String database, String user, String token, String sslmode,
                              Map<String, String> extraProperties) throws SQLException {
        Properties properties = new Properties();
        properties.setProperty("user", user);
        // In the properties, not the URL: a token never sits in a URL that might be printed.
        properties.setProperty("password", token);
        properties.setProperty("sslmode", sslmode);
        // Without it pgjdbc sends its ApplicationName with a SET after login, overriding the application_name
        // pgwarden gave the login; with it the name travels in the startup packet, where pgwarden replaces it.
        // (application_name is informative only: a client may always SET it; pgwarden.user is what to trust.)
        properties.setProperty("assumeMinServerVersion", "12");
        properties.setProperty("connectTimeout", "20");
        properties.setProperty("socketTimeout", "60");
        extraProperties.forEach(properties::setProperty);
        String url = "jdbc:postgresql://" + proxy.host() + ":" + proxy.port() + "/"
                + URLEncoder.encode(database, StandardCharsets.UTF_8);
        return DriverManager.getConnection(url, properties);
    }

    /** Expects the login to be refused with a server error and returns it. */
    static PSQLException refusal(ProxyFixture proxy, String database, String user, String token) {
        return refusal(proxy, database, user, token, "require");
    }

    static PSQLException refusal(ProxyFixture proxy, String database, String user, String token, String sslmode) {
        Throwable thrown = catchThrowable(() -> {
            connect(proxy, database, user, token, sslmode).close();
            throw new AssertionError("logged in as " + user + " although the login should be refused");
        });
        assertThat(thrown).isInstanceOf(PSQLException.class);
        PSQLException refused = (PSQLException) thrown;
        assertThat(refused.getServerErrorMessage()).as("a server error, not a client-side failure: %s", refused).isNotNull();
        return refused;
    }

    /** Asserts a FATAL with this SQLSTATE and a message for a person: one line, no stack trace, no exception names. */
    static String assertRefused(PSQLException refused, String sqlState) {
        assertThat(refused.getSQLState()).as(refused.getMessage()).isEqualTo(sqlState);
        assertThat(refused.getServerErrorMessage().getSeverity()).isEqualTo("FATAL");
        String message = refused.getServerErrorMessage().getMessage();
        assertThat(message).doesNotContain("\n").doesNotContain("\tat ").doesNotContain("Exception")
                .doesNotContain("com.nimbusds").doesNotContain("io.pgwarden");
        String detail = refused.getServerErrorMessage().getDetail();
        if (detail != null) {
            assertThat(detail).doesNotContain("\tat ").doesNotContain("Exception");
        }
        return message;
    }

    /**
     * Logs in with a raw protocol client without TLS (the rule must allow it), answering the cleartext password request
     * with the token, and reads up to the first ReadyForQuery; the caller closes the client.
     */
    static RawPgClient rawLogin(ProxyFixture proxy, String database, String user, String token) throws IOException {
        RawPgClient client = RawPgClient.connect(proxy.host(), proxy.port(), Duration.ofSeconds(20));
        try {
            client.sendStartup(Map.of("user", user, "database", database));
            RawMessage request = client.readMessage();
            assertThat(request.type()).as("an authentication request: %s", request).isEqualTo('R');
            assertThat(request.int32At(0)).as("AuthenticationCleartextPassword").isEqualTo(3);
            client.sendPassword(token);
            List<RawMessage> login = client.readUntilReadyForQuery();
            assertThat(login).as("login of %s", user).noneMatch(message -> message.type() == 'E');
            return client;
        } catch (IOException | RuntimeException | Error e) {
            client.close();
            throw e;
        }
    }

    static boolean logsIn(ProxyFixture proxy, String database, String user, String token) {
        try (Connection connection = connect(proxy, database, user, token)) {
            return connection.isValid(10);
        } catch (SQLException e) {
            return false;
        }
    }

    /** The first column of the first row of {@code sql}. */
    static String query(Connection connection, String sql) throws SQLException {
        try (Statement statement = connection.createStatement(); ResultSet rs = statement.executeQuery(sql)) {
            assertThat(rs.next()).as(sql).isTrue();
            return rs.getString(1);
        }
    }
}
