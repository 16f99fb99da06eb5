package io.pgwarden.it.auth;

import io.pgwarden.core.embedded.FileTrees;
import io.pgwarden.testkit.EmbeddedPostgres;
import io.pgwarden.testkit.ProxyFixture;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The real auth-scram plugin jar (the shaded jar Maven built, passed in system property {@value #JAR_PROPERTY})
 * copied into a temporary plugins folder, and proxies that load it from there as an installation does. The
 * plugin's classes are deliberately not on the test class path (failsafe's {@code classpathDependencyExcludes}).
 *
 * <p>Also writes the files a configuration names (userlists, secret files) into the same temporary folder, which
 * {@link #close()} deletes after closing every proxy it started.
 */
final class ScramPluginFixture implements AutoCloseable {

    /** The system property holding the plugin jar's path; set by it/pom.xml. */
    static final String JAR_PROPERTY = "pgwarden.plugin.auth-scram";

    /**
     * A {@code failures:} setting for tests that are not about brute-force protection: refusals come at once and
     * nobody is locked out, so the order of the tests in a class cannot change their outcome.
     */
    static final String QUICK_FAILURES = "failures: { delay: 1ms, max_delay: 10ms, lockout_after: 1000 }";

    private final Path directory;
    private final Path plugins;
    private final List<ProxyFixture> proxies = new ArrayList<>();

    private ScramPluginFixture(Path directory, Path plugins) {
        this.directory = directory;
        this.plugins = plugins;
    }

    /** The plugin jar Maven built for this run. */
    static Path pluginJar() {
        String path = System.getProperty(JAR_PROPERTY);
        if (path == null || path.isBlank() || path.startsWith("${")) {
            throw new IllegalStateException("system property " + JAR_PROPERTY + " is not set (found " + path
                    + "): run the auth ITs through Maven, which passes the auth-scram plugin jar's path");
        }
        Path jar = Path.of(path);
        if (!Files.isRegularFile(jar) || !jar.getFileName().toString().endsWith(".jar")) {
            throw new IllegalStateException(JAR_PROPERTY + " names no plugin jar: " + jar
                    + " (package plugins/auth-scram first; the reactor build does)");
        }
        return jar;
    }

    /** A temporary folder with {@code plugins/} holding a copy of the plugin jar. */
    static ScramPluginFixture create() {
        Path jar = pluginJar();
        Path directory = null;
        try {
            directory = Files.createTempDirectory("pgwarden-auth-it-");
            Path plugins = Files.createDirectories(directory.resolve("plugins"));
            Files.copy(jar, plugins.resolve("pgwarden-auth-scram.jar"), StandardCopyOption.COPY_ATTRIBUTES);
            return new ScramPluginFixture(directory, plugins);
        } catch (IOException e) {
            if (directory != null) {
                FileTrees.deleteQuietly(directory);
            }
            throw new UncheckedIOException("could not prepare the plugins folder", e);
        }
    }

    /** The temporary folder; configurations resolve relative paths against it. */
    Path directory() {
        return directory;
    }

    /** The plugins folder holding the jar. */
    Path pluginsDirectory() {
        return plugins;
    }

    /** Writes {@code content} to {@code name} in the temporary folder, readable by the owner only, and returns its path. */
    Path writeFile(String name, String content) {
        Path file = directory.resolve(Objects.requireNonNull(name, "name"));
        try {
            Path written = Files.writeString(file, content, StandardCharsets.UTF_8);
            Files.setPosixFilePermissions(written, PosixFilePermissions.fromString("rw-------"));
            return written;
        } catch (IOException e) {
            throw new UncheckedIOException("could not write " + file, e);
        }
    }

    /** Writes a userlist in PgBouncer's auth_file format, one {@code "user" "secret"} line per entry, in map order. */
    Path writeUserlist(String name, Map<String, String> secretsByUser) {
        StringBuilder text = new StringBuilder();
        secretsByUser.forEach((user, secret) -> text.append(userlistLine(user, secret)).append('\n'));
        return writeFile(name, text.toString());
    }

    /** One auth_file line: both fields quoted, a {@code "} inside doubled. */
    static String userlistLine(String user, String secret) {
        return quote(user) + " " + quote(secret);
    }

    private static String quote(String field) {
        return '"' + field.replace("\"", "\"\"") + '"';
    }

    /**
     * Starts a proxy from {@code yaml} with {@code plugins_dir} set to the plugins folder and, unless the YAML
     * starts with its own {@code listen:}, listening on {@code 127.0.0.1} on a free port. {@link #close()} closes it.
     */
    ProxyFixture startProxy(String yaml) {
        String listen = yaml.startsWith("listen:") ? "" : "listen: { host: 127.0.0.1, port: 0 }\n";
        ProxyFixture proxy = ProxyFixture.fromYaml(listen + yaml + "\nplugins_dir: \"" + plugins + "\"\n", directory);
        proxies.add(proxy);
        return proxy;
    }

    /** What the server stores for {@code role} in pg_authid.rolpassword (a SCRAM verifier, an md5 hash, or null). */
    static String storedSecret(EmbeddedPostgres postgres, String role) {
        try (Connection connection = postgres.superuserConnection();
             PreparedStatement statement = connection.prepareStatement(
                     "SELECT rolpassword FROM pg_catalog.pg_authid WHERE rolname = ?")) {
            statement.setString(1, role);
            try (ResultSet rs = statement.executeQuery()) {
                if (!rs.next()) {
                    throw new IllegalStateException("no role " + role);
                }
                return rs.getString(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("could not read the stored password of " + role, e);
        }
    }

    /** Closes every proxy this fixture started, then deletes the temporary folder. */
    @Override
    public void close() {
        RuntimeException failure = null;
        for (ProxyFixture proxy : proxies) {
            try {
                proxy.close();
            } catch (RuntimeException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        FileTrees.deleteQuietly(directory);
        if (failure != null) {
            throw failure;
        }
    }
}
