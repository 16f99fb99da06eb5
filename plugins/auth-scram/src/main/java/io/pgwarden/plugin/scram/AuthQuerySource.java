package io.pgwarden.plugin.scram;

import io.pgwarden.scram.ScramVerifier;
import io.pgwarden.spi.PluginConfig;
import io.pgwarden.spi.Services;
import java.lang.System.Logger.Level;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import javax.sql.DataSource;

/**
 * Secrets looked up with a query run through an auth user's side connection
 * ({@link Services#dataSource}), on {@link Services#blockingExecutor()}: PgBouncer's
 * {@code auth_query}. The user name is bound as the query's one parameter, never spliced into the
 * SQL. The first row's second column is the secret (the first, the name, is ignored); no row or a
 * NULL or empty secret means the user is unknown. Answers are cached ({@link LookupCache}), with
 * settings and caches per database when {@code auth_query.databases} overrides them.
 *
 * <p>Where the auth user may not read {@code pg_authid} (managed databases, least privilege), run
 * the query through a {@code SECURITY DEFINER} function: see {@link AuthQuerySettings#LOOKUP_FUNCTION_SQL}.
 */
final class AuthQuerySource implements CredentialSource {

    private final AuthQuerySettings defaults;
    private final Map<String, AuthQuerySettings> perDatabase;
    private final Services services;
    private final int iterations;

    AuthQuerySource(AuthQuerySettings defaults, Map<String, AuthQuerySettings> perDatabase, Services services, int iterations) {
        this.defaults = Objects.requireNonNull(defaults, "defaults");
        this.perDatabase = Map.copyOf(perDatabase);
        this.services = Objects.requireNonNull(services, "services");
        this.iterations = iterations;
    }

    /**
     * Reads the {@code auth_query} section: the keys of the brief ({@code query}, {@code user},
     * {@code password}, {@code database}, {@code backend}, {@code cache_ttl},
     * {@code negative_cache_ttl}, {@code negative_cache_size}) and per-database overrides under
     * {@code databases}. Resolves the password reference now.
     *
     * @param authQuerySection the section, {@code plugins[i].auth_query}
     * @param services the plugin's services
     * @param iterations the iteration count for verifiers derived from plaintext secrets
     * @return the source
     * @throws io.pgwarden.spi.PluginConfigException naming the YAML path of a bad value: an unknown
     *     key, a missing {@code user}, a literal password, a query without exactly one {@code $1} or
     *     {@code ?}, a bad duration or number
     * @throws IllegalArgumentException when {@code iterations} is outside 1..{@link io.pgwarden.scram.ScramVerifier#MAX_ITERATIONS}
     *     (the plugin's settings check it first)
     */
    static AuthQuerySource fromConfig(PluginConfig authQuerySection, Services services, int iterations) {
        Objects.requireNonNull(authQuerySection, "authQuerySection");
        Objects.requireNonNull(services, "services");
        Userlist.checkIterations(iterations);
        AuthQuerySettings defaults = AuthQuerySettings.parseDefaults(authQuerySection, services);
        Map<String, AuthQuerySettings> perDatabase = AuthQuerySettings.parseDatabases(authQuerySection, defaults, services);
        return new AuthQuerySource(defaults, perDatabase, services, iterations);
    }

    @Override
    public CompletionStage<Optional<StoredSecret>> lookup(String backend, String database, String user) {
        Objects.requireNonNull(user, "user");
        AuthQuerySettings settings = settingsFor(database);
        if (!settings.enabled()) {
            return CompletableFuture.completedFuture(Optional.empty());
        }
        String queryBackend = settings.backend() != null ? settings.backend() : backend;
        String queryDatabase = settings.database() != null ? settings.database() : database;
        if (queryBackend == null || queryDatabase == null) {
            return CompletableFuture.failedFuture(new IllegalStateException(
                    "auth_query has no backend or database to ask (" + settings.path() + ")"));
        }
        Key key = new Key(queryBackend, queryDatabase, user);
        return settings.cache().get(key, k -> CompletableFuture.supplyAsync(() -> query(settings, k), services.blockingExecutor()));
    }

    /** The settings that apply to a client's database. */
    AuthQuerySettings settingsFor(String database) {
        AuthQuerySettings settings = database == null ? null : perDatabase.get(database);
        return settings != null ? settings : defaults;
    }

    private Optional<StoredSecret> query(AuthQuerySettings settings, Key key) {
        DataSource dataSource = services.dataSource(key.backend(), key.database(), settings.user(), settings.password());
        String secret;
        try (Connection connection = dataSource.getConnection();
             PreparedStatement statement = connection.prepareStatement(settings.jdbcQuery())) {
            statement.setString(1, key.user());
            try (ResultSet rows = statement.executeQuery()) {
                if (rows.getMetaData().getColumnCount() < 2) {
                    throw new CompletionException(new SQLException("auth_query (" + settings.path()
                            + ") must return two columns, the user name and the secret; it returns "
                            + rows.getMetaData().getColumnCount()));
                }
                if (!rows.next()) {
                    return Optional.empty();
                }
                secret = rows.getString(2);
                if (rows.next() && settings.firstMultipleRows()) {
                    services.logger().log(Level.WARNING, "auth_query (" + settings.path() + ") returned more than one row for user \""
                            + key.user() + "\"; the first counts (warned once)");
                }
            }
        } catch (SQLException e) {
            throw new CompletionException(new SQLException("auth_query (" + settings.path() + ") failed for user \"" + key.user()
                    + "\" in database \"" + key.database() + "\" on backend \"" + key.backend() + "\" as \"" + settings.user()
                    + "\": " + e.getMessage(), e.getSQLState(), e));
        }
        if (secret == null || secret.isEmpty()) {
            return Optional.empty();
        }
        if (!ScramVerifier.isVerifier(secret)) {
            return Optional.of(StoredSecret.parse(secret, iterations));
        }
        try {
            return Optional.of(StoredSecret.parse(secret, iterations));
        } catch (IllegalArgumentException e) {
            // ScramVerifier's messages never repeat the text.
            throw new CompletionException(new IllegalStateException("auth_query (" + settings.path() + ") returned a secret for user \""
                    + key.user() + "\" that starts like a SCRAM verifier but is not a valid one: " + e.getMessage()));
        }
    }

    @Override
    public void close() {
        defaults.cache().clear();
        perDatabase.values().forEach(settings -> settings.cache().clear());
    }

    @Override
    public String toString() {
        return "AuthQuerySource[" + defaults.path() + "]";
    }

    /** What a lookup is cached under: where it was asked and for whom. */
    record Key(String backend, String database, String user) {
    }
}
