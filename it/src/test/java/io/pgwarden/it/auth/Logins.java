package io.pgwarden.it.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.pgwarden.testkit.ProxyFixture;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.postgresql.util.PSQLException;

/** pgjdbc logins through a proxy, and bounded polling, for the auth ITs. */
final class Logins {

    private Logins() {
    }

    /**
     * A pgjdbc URL to {@code proxy} with a password; {@code options} (may be empty) are appended. Without an
     * {@code sslmode} in the options the connection does not use TLS.
     */
    static String url(ProxyFixture proxy, String database, String user, String password, String options) {
        return url(proxy.host(), proxy.port(), database, user, password, options);
    }

    static String url(String host, int port, String database, String user, String password, String options) {
        String url = "jdbc:postgresql://" + host + ":" + port + "/" + encode(database) + "?user=" + encode(user)
                + "&password=" + encode(password) + "&connectTimeout=20&socketTimeout=60";
        if (!options.contains("sslmode=")) {
            url += "&sslmode=disable";
        }
        return options.isEmpty() ? url : url + "&" + options;
    }

    /** Logs in and returns {@code session_user} (the role the server authenticated). */
    static String sessionUser(String url) throws SQLException {
        try (Connection connection = DriverManager.getConnection(url)) {
            return sessionUser(connection);
        }
    }

    static String sessionUser(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery("SELECT session_user")) {
            assertThat(rs.next()).isTrue();
            return rs.getString(1);
        }
    }

    /** Expects the login to fail with a server error and returns it. */
    static PSQLException refusal(String url) {
        Throwable thrown = catchThrowable(() -> {
            DriverManager.getConnection(url).close();
            throw new AssertionError("logged in although the login should be refused: " + url.replaceAll("password=[^&]*", "password=***"));
        });
        assertThat(thrown).isInstanceOf(PSQLException.class);
        return (PSQLException) thrown;
    }

    /** Whether the login succeeds. */
    static boolean logsIn(String url) {
        try (Connection connection = DriverManager.getConnection(url)) {
            return connection.isValid(10);
        } catch (SQLException e) {
            return false;
        }
    }

    private static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }
}
