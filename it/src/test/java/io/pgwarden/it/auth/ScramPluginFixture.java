package io.pgwarden.it.auth;

import io.pgwarden.testkit.EmbeddedPostgres;
import io.pgwarden.testkit.PluginInstallation;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Map;

/**
 * The real auth-scram plugin jar (the shaded jar Maven built, passed in system property {@value #JAR_PROPERTY})
 * installed in a temporary plugins folder (see {@link PluginInstallation}), with the userlist and pg_authid
 * helpers of the auth ITs.
 */
final class ScramPluginFixture extends PluginInstallation {

    /** The system property holding the plugin jar's path; set by it/pom.xml. */
    static final String JAR_PROPERTY = "pgwarden.plugin.auth-scram";
    private static final String MODULE = "auth-scram";

    /**
     * A {@code failures:} setting for tests that are not about brute-force protection: refusals come at once and
     * nobody is locked out, so the order of the tests in a class cannot change their outcome.
     */
    static final String QUICK_FAILURES = "failures: { delay: 1ms, max_delay: 10ms, lockout_after: 1000 }";

    private ScramPluginFixture() {
        super(JAR_PROPERTY, MODULE);
    }

    /** The plugin jar Maven built for this run. */
    static Path pluginJar() {
        return pluginJar(JAR_PROPERTY, MODULE);
    }

    /** A temporary folder with {@code plugins/} holding a copy of the plugin jar. */
    static ScramPluginFixture create() {
        return new ScramPluginFixture();
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
}
