package io.pgwarden.testkit;

import io.pgwarden.core.embedded.PostgresCluster;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real PostgreSQL server for tests, run from the zonky binaries on the class path (the Maven property
 * {@code pg.version} picks them), listening on {@code 127.0.0.1} on a free port.
 *
 * <p>Every server has the superuser {@value #SUPERUSER}, who connects over loopback with trust through the
 * first pg_hba line. The builder adds pg_hba lines, server settings, TLS files, roles and databases:
 *
 * <pre>{@code
 * try (EmbeddedPostgres pg = EmbeddedPostgres.builder()
 *         .hba("host all alice 127.0.0.1/32 scram-sha-256")
 *         .role("alice", "secret", PasswordEncryption.SCRAM_SHA_256)
 *         .start()) {
 *     DriverManager.getConnection(pg.jdbcUrl("postgres", "alice"), "alice", "secret");
 * }
 * }</pre>
 *
 * <p>{@link #close()} stops the server and deletes its files. When the JVM runs as root the server runs as
 * {@code nobody}, since PostgreSQL refuses root.
 */
public final class EmbeddedPostgres implements AutoCloseable {

    /** The superuser, trusted over loopback. */
    public static final String SUPERUSER = PostgresCluster.SUPERUSER;

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedPostgres.class);

    /** Names the clusters' folders in {@code java.io.tmpdir}, apart from the demo's. */
    private static final String DIRECTORY_PREFIX = "pgwarden-pg-";

    private final PostgresCluster cluster;
    private final String version;
    private final AtomicBoolean closed = new AtomicBoolean();

    private EmbeddedPostgres(PostgresCluster cluster, String version) {
        this.cluster = cluster;
        this.version = version;
    }

    /** A builder for a server with no roles but the superuser and, unless pg_hba lines are added, trust for all. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * A builder for a TLS server with one role per auth method ({@link PresetRole}): trust, password, md5,
     * scram-sha-256, cert, and a role allowed over TLS only. Add more with the builder before starting.
     */
    public static Builder everyAuthMethod(TestCertificates certificates) {
        Builder builder = builder().tls(certificates);
        for (PresetRole role : PresetRole.values()) {
            role.addTo(builder);
        }
        return builder;
    }

    /** Starts a server where every local user is trusted. */
    public static EmbeddedPostgres start() {
        return builder().start();
    }

    /** The address the server listens on: {@code 127.0.0.1}. */
    public String host() {
        return "127.0.0.1";
    }

    /** The TCP port the server listens on. */
    public int port() {
        return cluster.port();
    }

    /** {@code SHOW server_version}, e.g. {@code 18.6}. */
    public String version() {
        return version;
    }

    /** The data directory, for tests that read {@code server.log} or need a file beside the cluster. */
    public Path dataDirectory() {
        return cluster.dataDirectory();
    }

    /** Everything the server has logged so far. */
    public String serverLog() {
        return cluster.serverLog();
    }

    /**
     * A pgjdbc URL for this server: {@code jdbc:postgresql://127.0.0.1:PORT/DB?user=USER}; append
     * {@code &password=...}, {@code &sslmode=...} and so on as needed.
     */
    public String jdbcUrl(String database, String user) {
        return "jdbc:postgresql://" + host() + ":" + port() + "/" + encode(database) + "?user=" + encode(user);
    }

    /** A new connection to database {@code postgres} as the superuser; the caller closes it. */
    public Connection superuserConnection() throws SQLException {
        return superuserConnection("postgres");
    }

    /** A new connection to {@code database} as the superuser; the caller closes it. */
    public Connection superuserConnection(String database) throws SQLException {
        return DriverManager.getConnection(jdbcUrl(database, SUPERUSER) + "&sslmode=disable");
    }

    /** Runs statements as the superuser in {@code database}, each in its own implicit transaction. */
    public void execute(String database, String... statements) {
        try (Connection connection = superuserConnection(database); Statement statement = connection.createStatement()) {
            for (String sql : statements) {
                statement.execute(sql);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("statement failed on the embedded server: " + e.getMessage(), e);
        }
    }

    /** Stops the server but keeps its data, for tests of a backend outage; {@link #restartServer()} brings it back. */
    public void stopServer() {
        cluster.stopServer();
        LOG.info("PostgreSQL {} on port {} stopped (data kept)", version, port());
    }

    /**
     * Starts a server stopped by {@link #stopServer()} again on the same port.
     *
     * @throws IllegalStateException when it does not start
     */
    public void restartServer() {
        try {
            cluster.restart();
        } catch (IOException e) {
            throw new IllegalStateException("could not restart PostgreSQL: " + e.getMessage(), e);
        }
        LOG.info("PostgreSQL {} on port {} started again", version, port());
    }

    /** Stops the server and deletes its data directory; later calls do nothing. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        cluster.destroy();
        LOG.info("PostgreSQL {} on port {} stopped and deleted", version, port());
    }

    private static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }

    static String quoteIdentifier(String name) {
        return '"' + name.replace("\"", "\"\"") + '"';
    }

    static String quoteLiteral(String text) {
        return '\'' + text.replace("'", "''") + '\'';
    }

    /** Collects the server's configuration; {@link #start()} runs initdb and the postmaster. */
    public static final class Builder {

        private final List<String> hbaLines = new ArrayList<>();
        private final Map<String, String> settings = new LinkedHashMap<>();
        private final Map<String, DataFile> files = new LinkedHashMap<>();
        private final List<String> setupStatements = new ArrayList<>();

        private Builder() {
            settings.put("listen_addresses", "127.0.0.1");
            settings.put("unix_socket_directories", "");
            settings.put("fsync", "off");
            settings.put("full_page_writes", "off");
            settings.put("synchronous_commit", "off");
            settings.put("max_connections", "100");
            settings.put("shared_buffers", "32MB");
            settings.put("timezone", "UTC");
        }

        /**
         * Adds a pg_hba.conf line after the superuser's trust line, e.g.
         * {@code "hostssl all carol 127.0.0.1/32 cert"}. With no lines added every loopback user is trusted.
         */
        public Builder hba(String line) {
            hbaLines.add(Objects.requireNonNull(line, "line"));
            return this;
        }

        /** Sets a server setting in postgresql.conf, e.g. {@code setting("password_encryption", "md5")}. */
        public Builder setting(String name, String value) {
            settings.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /**
         * Turns TLS on with these PEM files, copied into the data directory (the key with mode 0600, owned by
         * the server user, as PostgreSQL demands). {@code caCertificate} verifies client certificates and may be
         * null when no {@code cert} auth or {@code clientcert} is used.
         */
        public Builder tls(Path certificate, Path privateKey, Path caCertificate) {
            files.put("server.crt", new DataFile(certificate, "rw-r--r--"));
            files.put("server.key", new DataFile(privateKey, "rw-------"));
            settings.put("ssl", "on");
            settings.put("ssl_cert_file", "server.crt");
            settings.put("ssl_key_file", "server.key");
            if (caCertificate != null) {
                files.put("root.crt", new DataFile(caCertificate, "rw-r--r--"));
                settings.put("ssl_ca_file", "root.crt");
            }
            return this;
        }

        /** Turns TLS on with the test CA's server certificate; client certificates of the test CA are trusted. */
        public Builder tls(TestCertificates certificates) {
            return tls(certificates.serverCertificate(), certificates.serverKey(), certificates.caCertificate());
        }

        /** Creates a login role without a password (for trust and cert). */
        public Builder role(String name) {
            setupStatements.add("CREATE ROLE " + quoteIdentifier(name) + " LOGIN");
            return this;
        }

        /** Creates a login role whose password is stored the given way. */
        public Builder role(String name, String password, PasswordEncryption encryption) {
            setupStatements.add("SET password_encryption = " + quoteLiteral(encryption.setting()));
            setupStatements.add("CREATE ROLE " + quoteIdentifier(name) + " LOGIN PASSWORD " + quoteLiteral(password));
            setupStatements.add("RESET password_encryption");
            return this;
        }

        /** Creates a database owned by {@code owner} (a role created earlier, or the superuser). */
        public Builder database(String name, String owner) {
            setupStatements.add("CREATE DATABASE " + quoteIdentifier(name) + " OWNER " + quoteIdentifier(owner));
            return this;
        }

        /** Runs initdb, writes the configuration, starts the server and creates the roles and databases. */
        public EmbeddedPostgres start() {
            PostgresCluster cluster;
            try {
                cluster = PostgresCluster.initialize(DIRECTORY_PREFIX);
            } catch (IOException e) {
                throw new UncheckedIOException("could not initialize PostgreSQL", e);
            }
            try {
                // A test JVM that exits without close() (a crash, System.exit) must not leave a postmaster behind.
                cluster.destroyOnExit();
                configure(cluster);
                cluster.start();
                String version = setUp(cluster);
                LOG.info("PostgreSQL {} started on 127.0.0.1:{} (binaries {} from pgwarden.pg.version)", version,
                        cluster.port(), System.getProperty("pgwarden.pg.version", "of the class path"));
                return new EmbeddedPostgres(cluster, version);
            } catch (IOException | SQLException | RuntimeException e) {
                String log = cluster.serverLog();
                try {
                    cluster.destroy();
                } catch (RuntimeException cleanup) {
                    e.addSuppressed(cleanup);
                }
                throw new IllegalStateException("could not start PostgreSQL: " + e.getMessage()
                        + "\nserver log:\n" + log, e);
            }
        }

        private void configure(PostgresCluster cluster) throws IOException {
            for (Map.Entry<String, DataFile> file : files.entrySet()) {
                cluster.writeDataFile(file.getKey(), Files.readAllBytes(file.getValue().source()), file.getValue().mode());
            }
            cluster.writeHba(hbaLines.isEmpty() ? List.of("host all all 127.0.0.1/32 trust") : hbaLines);
            cluster.appendSettings(settings);
        }

        private String setUp(PostgresCluster cluster) throws SQLException {
            try (Connection connection = DriverManager.getConnection(cluster.jdbcUrl("postgres") + "&sslmode=disable");
                 Statement statement = connection.createStatement()) {
                for (String sql : setupStatements) {
                    statement.execute(sql);
                }
                try (ResultSet rs = statement.executeQuery("SHOW server_version")) {
                    rs.next();
                    return rs.getString(1);
                }
            }
        }
    }

    private record DataFile(Path source, String mode) {
    }
}
