package io.pgwarden.testkit;

import io.pgwarden.core.config.ConfigLoader;
import io.pgwarden.core.config.ProxyConfig;
import io.pgwarden.core.embedded.FileTrees;
import io.pgwarden.core.server.PgwardenServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * An in-process pgwarden proxy built from a YAML string, for end-to-end tests with real clients.
 *
 * <pre>{@code
 * try (EmbeddedPostgres pg = EmbeddedPostgres.start();
 *      ProxyFixture proxy = ProxyFixture.fromYaml("""
 *          listen: { port: 0 }
 *          backends: { primary: { host: 127.0.0.1, port: %d, tls: { mode: disable } } }
 *          auth: { rules: [ { method: passthrough } ] }
 *          """.formatted(pg.port()))) {
 *     DriverManager.getConnection(proxy.jdbcUrl("postgres", "postgres") + "&sslmode=disable");
 * }
 * }</pre>
 *
 * <p>Write {@code listen: { port: 0 }} so the proxy picks a free port; {@link #port()} tells which. Relative
 * paths in the YAML resolve against a temporary directory (deleted on close) unless a base directory is given.
 * An invalid YAML throws the {@code ConfigException} of {@link ConfigLoader} with every problem.
 */
public final class ProxyFixture implements AutoCloseable {

    private final PgwardenServer server;
    private final Path ownedDirectory;

    private ProxyFixture(PgwardenServer server, Path ownedDirectory) {
        this.server = server;
        this.ownedDirectory = ownedDirectory;
    }

    /** Validates the YAML (relative paths against a fresh temporary directory) and starts the proxy. */
    public static ProxyFixture fromYaml(String yaml) {
        Path directory;
        try {
            directory = Files.createTempDirectory("pgwarden-proxy-");
        } catch (IOException e) {
            throw new UncheckedIOException("could not create the proxy's base directory", e);
        }
        try {
            return new ProxyFixture(startServer(yaml, directory), directory);
        } catch (RuntimeException e) {
            FileTrees.deleteQuietly(directory);
            throw e;
        }
    }

    /** Validates the YAML with relative paths against {@code baseDirectory} (left in place) and starts the proxy. */
    public static ProxyFixture fromYaml(String yaml, Path baseDirectory) {
        return new ProxyFixture(startServer(yaml, Objects.requireNonNull(baseDirectory, "baseDirectory")), null);
    }

    private static PgwardenServer startServer(String yaml, Path baseDirectory) {
        ProxyConfig config = ConfigLoader.parse(Objects.requireNonNull(yaml, "yaml"), baseDirectory);
        try {
            return PgwardenServer.start(config);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("pgwarden did not start: " + e.getMessage(), e);
        }
    }

    /** The address the proxy listens on, as a host string for clients. */
    public String host() {
        return server.address().getAddress().getHostAddress();
    }

    /** The port the proxy listens on. */
    public int port() {
        return server.address().getPort();
    }

    /**
     * A pgjdbc URL for the proxy: {@code jdbc:postgresql://HOST:PORT/DB?user=USER}; append {@code &password=},
     * {@code &sslmode=} and so on as needed.
     */
    public String jdbcUrl(String database, String user) {
        return "jdbc:postgresql://" + host() + ":" + port() + "/" + URLEncoder.encode(database, StandardCharsets.UTF_8)
                + "?user=" + URLEncoder.encode(user, StandardCharsets.UTF_8);
    }

    /** The running server, for tests that inspect sessions. */
    public PgwardenServer server() {
        return server;
    }

    /**
     * Stops the proxy gracefully (bounded by {@code limits.shutdown_timeout}; close client connections first)
     * and deletes the temporary base directory.
     */
    @Override
    public void close() {
        try {
            server.close();
        } finally {
            if (ownedDirectory != null) {
                FileTrees.delete(ownedDirectory);
            }
        }
    }
}
