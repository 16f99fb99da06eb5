package io.pgwarden.core.cli;

import java.net.URI;
import java.net.URISyntaxException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Map;
import java.util.Properties;

/**
 * Where {@code audit verify --table} reads: from {@code --url postgresql://user@host:port/db}, or else the libpq
 * variables PGHOST, PGPORT, PGDATABASE and PGUSER; the password from {@code --password-file}, or else PGPASSWORD.
 * {@link #toString()} never shows the password.
 */
record AuditDatabase(String host, int port, String database, String user, String password) {

    /**
     * Resolves the connection settings.
     *
     * @param url the {@code --url}, or {@code null}
     * @param environment the process environment
     * @param passwordFromFile the {@code --password-file}'s content, or {@code null}
     * @return the settings
     * @throws IllegalArgumentException when the URL is not of that form
     */
    static AuditDatabase of(String url, Map<String, String> environment, String passwordFromFile) {
        String password = passwordFromFile != null ? passwordFromFile : environment.get("PGPASSWORD");
        String user = environment.getOrDefault("PGUSER", System.getProperty("user.name"));
        if (url == null) {
            String database = environment.getOrDefault("PGDATABASE", user);
            return new AuditDatabase(environment.getOrDefault("PGHOST", "localhost"), port(environment.getOrDefault("PGPORT", "5432")),
                    database, user, password);
        }
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("--url is not a URL: " + e.getMessage());
        }
        if (!"postgresql".equals(uri.getScheme()) && !"postgres".equals(uri.getScheme()) || uri.getHost() == null
                || uri.getRawUserInfo() != null && uri.getRawUserInfo().contains(":")) {
            throw new IllegalArgumentException("--url must be postgresql://user@host:port/database (the password goes in --password-file or PGPASSWORD)");
        }
        String path = uri.getPath() == null ? "" : uri.getPath().replaceFirst("^/", "");
        String urlUser = uri.getUserInfo() != null ? uri.getUserInfo() : user;
        return new AuditDatabase(uri.getHost(), uri.getPort() < 0 ? 5432 : uri.getPort(), path.isEmpty() ? urlUser : path, urlUser,
                password);
    }

    private static int port(String text) {
        try {
            return Integer.parseInt(text.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("PGPORT is not a port number: " + text);
        }
    }

    /**
     * Opens a connection with pgjdbc.
     *
     * @return the connection
     * @throws SQLException when it cannot be opened
     */
    Connection connect() throws SQLException {
        Properties properties = new Properties();
        properties.setProperty("user", user);
        if (password != null) {
            properties.setProperty("password", password);
        }
        properties.setProperty("ApplicationName", "pgwarden audit verify");
        return DriverManager.getConnection("jdbc:postgresql://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port + "/"
                + database, properties);
    }

    @Override
    public String toString() {
        return "postgresql://" + user + "@" + host + ":" + port + "/" + database;
    }
}
