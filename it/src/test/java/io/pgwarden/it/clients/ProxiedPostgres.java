package io.pgwarden.it.clients;

import io.pgwarden.testkit.EmbeddedPostgres;
import io.pgwarden.testkit.ProxyFixture;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Objects;

/**
 * A real PostgreSQL and a pgwarden in front of it, started once per test class and closed at its end.
 *
 * <p>{@value #PG_PORT} in the YAML given to {@link #start} is replaced by the embedded server's port. Unless the
 * YAML starts with its own {@code listen:}, the proxy listens on {@code 127.0.0.1} on a free port, without TLS.
 */
final class ProxiedPostgres implements AutoCloseable {

    /** Replaced in the YAML by the embedded server's port. */
    static final String PG_PORT = "@PG_PORT@";

    /** One backend, the embedded server without TLS, and passthrough for everyone. */
    static final String PASSTHROUGH_FOR_ALL = """
            backends:
              pg: { host: 127.0.0.1, port: @PG_PORT@, tls: { mode: disable } }
            auth:
              rules:
                - { method: passthrough }
            """;

    private final EmbeddedPostgres postgres;
    private final ProxyFixture proxy;

    private ProxiedPostgres(EmbeddedPostgres postgres, ProxyFixture proxy) {
        this.postgres = postgres;
        this.proxy = proxy;
    }

    /** Starts the server, then the proxy; stops the server again when the proxy cannot start. */
    static ProxiedPostgres start(EmbeddedPostgres.Builder server, String yaml) {
        EmbeddedPostgres postgres = server.start();
        try {
            return new ProxiedPostgres(postgres, startProxy(postgres, yaml));
        } catch (RuntimeException | Error e) {
            postgres.close();
            throw e;
        }
    }

    /** Starts a proxy (the caller closes it) in front of {@code postgres}. */
    static ProxyFixture startProxy(EmbeddedPostgres postgres, String yaml) {
        String withPort = Objects.requireNonNull(yaml, "yaml").replace(PG_PORT, Integer.toString(postgres.port()));
        return ProxyFixture.fromYaml(withPort.startsWith("listen:") ? withPort
                : "listen: { host: 127.0.0.1, port: 0 }\n" + withPort);
    }

    EmbeddedPostgres postgres() {
        return postgres;
    }

    ProxyFixture proxy() {
        return proxy;
    }

    /** A pgjdbc URL to the proxy without TLS; {@code options} (may be empty) are appended as {@code &options}. */
    String proxyUrl(String database, String user, String options) {
        return url(proxy.port(), database, user, options);
    }

    /** The same URL to the server directly, to compare what the proxy returns with what PostgreSQL returns. */
    String directUrl(String database, String user, String options) {
        return url(postgres.port(), database, user, options);
    }

    /** A connection through the proxy to database {@code postgres} as the superuser. */
    Connection viaProxy(String options) throws SQLException {
        return DriverManager.getConnection(proxyUrl("postgres", EmbeddedPostgres.SUPERUSER, options));
    }

    /** A connection to the server directly, to database {@code postgres} as the superuser. */
    Connection direct(String options) throws SQLException {
        return DriverManager.getConnection(directUrl("postgres", EmbeddedPostgres.SUPERUSER, options));
    }

    static String url(int port, String database, String user, String options) {
        String url = "jdbc:postgresql://127.0.0.1:" + port + "/" + encode(database) + "?user=" + encode(user)
                + "&sslmode=disable&connectTimeout=15&socketTimeout=120";
        return options.isEmpty() ? url : url + "&" + options;
    }

    private static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }

    /** Closes the proxy, then the server, even when the first fails. */
    @Override
    public void close() {
        try {
            proxy.close();
        } finally {
            postgres.close();
        }
    }
}
