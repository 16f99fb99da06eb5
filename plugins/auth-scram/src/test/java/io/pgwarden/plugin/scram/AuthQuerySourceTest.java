package io.pgwarden.plugin.scram;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgwarden.spi.PluginConfig;
import io.pgwarden.spi.PluginConfigException;
import java.lang.reflect.Proxy;
import java.sql.SQLException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** auth_query's configuration and routing; the queries themselves run in {@code AuthQuerySourceIT}. */
class AuthQuerySourceTest {

    private static final String LITERAL = "hunter2-literal";

    /** The data sources asked for, as "backend/database/user/password". */
    private final List<String> asked = new CopyOnWriteArrayList<>();
    private final SourceTestServices services = new SourceTestServices(Map.of("AUTH_PW", "pw-from-env", "APP_PW", "app-pw"),
            (backend, database, user, password) -> {
                asked.add(backend + "/" + database + "/" + user + "/" + password);
                return unreachable();
            });

    @AfterEach
    void close() {
        services.close();
    }

    /** A data source whose every connection attempt fails, as a stopped server's does. */
    private static DataSource unreachable() {
        return (DataSource) Proxy.newProxyInstance(AuthQuerySourceTest.class.getClassLoader(), new Class<?>[] {DataSource.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("getConnection")) {
                        throw new SQLException("Connection to 127.0.0.1:1 refused", "08001");
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
    }

    private static PluginConfig authQuery(Object... keysAndValues) {
        Map<String, Object> values = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            values.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return new PluginConfig("plugins[0].auth_query", values);
    }

    private AuthQuerySource source(Object... keysAndValues) {
        return AuthQuerySource.fromConfig(authQuery(keysAndValues), services, 4096);
    }

    private void assertConfigError(String path, String message, Object... keysAndValues) {
        assertThatThrownBy(() -> source(keysAndValues))
                .isInstanceOf(PluginConfigException.class)
                .hasMessageStartingWith(path + ": " + message)
                .satisfies(e -> assertThat(((PluginConfigException) e).path()).isEqualTo(path))
                .message().doesNotContain(LITERAL);
    }

    private static Throwable failureOf(CompletableFuture<?> future) {
        assertThat(future).failsWithin(Duration.ofSeconds(10));
        Throwable e = future.handle((value, failure) -> failure).join();
        while (e instanceof CompletionException && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
    }

    @Test
    void defaultsArePgBouncersQueryAndTheDocumentedCacheSettings() {
        AuthQuerySettings settings = source("user", "pgwarden_auth").settingsFor("appdb");

        assertThat(settings.query()).isEqualTo(AuthQuerySettings.DEFAULT_QUERY).contains("pg_catalog.pg_authid", "rolname = $1");
        assertThat(settings.jdbcQuery()).contains("rolname = ?").doesNotContain("$1");
        assertThat(settings.user()).isEqualTo("pgwarden_auth");
        assertThat(settings.password()).isNull();
        assertThat(settings.database()).isNull();
        assertThat(settings.backend()).isNull();
        assertThat(settings.cacheTtl()).isEqualTo(Duration.ofSeconds(60));
        assertThat(settings.negativeCacheTtl()).isEqualTo(Duration.ofSeconds(5));
        assertThat(settings.negativeCacheSize()).isEqualTo(10_000);
    }

    @Test
    void userIsRequired() {
        assertConfigError("plugins[0].auth_query.user", "is required", "password", "${env:AUTH_PW}");
    }

    @Test
    void literalPasswordIsRefusedWithoutRepeatingIt() {
        assertConfigError("plugins[0].auth_query.password", "must be a secret reference such as ${env:NAME}",
                "user", "pgwarden_auth", "password", LITERAL);
    }

    @Test
    void passwordWithTextAroundTheReferenceIsRefused() {
        assertConfigError("plugins[0].auth_query.password", "must be a secret reference",
                "user", "pgwarden_auth", "password", LITERAL + "${env:AUTH_PW}");
    }

    @Test
    void passwordReferenceIsResolvedAtStartup() {
        assertThat(source("user", "pgwarden_auth", "password", "${env:AUTH_PW}").settingsFor("x").password()).isEqualTo("pw-from-env");
    }

    @Test
    void unresolvablePasswordReferenceIsAConfigErrorAtThePasswordPath() {
        assertConfigError("plugins[0].auth_query.password", "environment variable NOPE is not set",
                "user", "pgwarden_auth", "password", "${env:NOPE}");
    }

    @Test
    void queryWithQuestionMarkIsAccepted() {
        AuthQuerySettings settings = source("user", "a", "query", "SELECT usename, passwd FROM pg_shadow WHERE usename = ?")
                .settingsFor("x");

        assertThat(settings.jdbcQuery()).isEqualTo("SELECT usename, passwd FROM pg_shadow WHERE usename = ?");
    }

    @Test
    void queryWithoutAUserNameMarkIsRefused() {
        assertConfigError("plugins[0].auth_query.query", "must mark the user name with $1 (or ?) exactly once; found 0",
                "user", "a", "query", "SELECT rolname, rolpassword FROM pg_authid WHERE rolname = 'alice'");
    }

    @Test
    void queryWithTwoMarksIsRefused() {
        assertConfigError("plugins[0].auth_query.query", "must mark the user name with $1 (or ?) exactly once; found 2",
                "user", "a", "query", "SELECT $1, rolpassword FROM pg_authid WHERE rolname = $1");
        assertConfigError("plugins[0].auth_query.query", "must mark the user name with $1 (or ?) exactly once; found 2",
                "user", "a", "query", "SELECT ?, rolpassword FROM pg_authid WHERE rolname = $1");
    }

    @Test
    void queryWithASecondParameterIsRefused() {
        assertConfigError("plugins[0].auth_query.query", "has the parameter $2",
                "user", "a", "query", "SELECT rolname, rolpassword FROM pg_authid WHERE rolname = $1 AND $2");
    }

    @Test
    void unknownKeyIsRefusedAtItsPath() {
        assertConfigError("plugins[0].auth_query.ttl", "unknown key; known: ", "user", "a", "ttl", "5s");
    }

    @Test
    void badDurationsAndSizesAreRefusedAtTheirPaths() {
        assertConfigError("plugins[0].auth_query.cache_ttl", "expected a duration", "user", "a", "cache_ttl", "forever");
        assertConfigError("plugins[0].auth_query.negative_cache_ttl", "expected a duration", "user", "a", "negative_cache_ttl", "-1s");
        assertConfigError("plugins[0].auth_query.negative_cache_size", "must be 0 to 10000000, found -1",
                "user", "a", "negative_cache_size", "-1");
        assertConfigError("plugins[0].auth_query.negative_cache_size", "expected an integer",
                "user", "a", "negative_cache_size", "lots");
        assertConfigError("plugins[0].auth_query.backend", "is empty", "user", "a", "backend", " ");
    }

    @Test
    void databaseOverrideErrorsNameTheDatabasesPath() {
        assertConfigError("plugins[0].auth_query.databases.appdb.password", "must be a secret reference",
                "user", "a", "databases", Map.of("appdb", Map.of("password", LITERAL)));
        assertConfigError("plugins[0].auth_query.databases.appdb.cache", "unknown key",
                "user", "a", "databases", Map.of("appdb", Map.of("cache", "1s")));
        assertConfigError("plugins[0].auth_query.databases.appdb.databases", "databases cannot be nested",
                "user", "a", "databases", Map.of("appdb", Map.of("databases", Map.of())));
        assertConfigError("plugins[0].auth_query.databases.appdb", "expected a map",
                "user", "a", "databases", Map.of("appdb", "off"));
        assertConfigError("plugins[0].auth_query.databases.appdb.enabled", "expected true or false",
                "user", "a", "databases", Map.of("appdb", Map.of("enabled", "maybe")));
        assertConfigError("plugins[0].auth_query.enabled", "unknown key", "user", "a", "enabled", "false");
    }

    @Test
    void databaseOverrideReplacesItsKeysAndInheritsTheRest() {
        AuthQuerySource source = source("user", "pgwarden_auth", "password", "${env:AUTH_PW}", "cache_ttl", "30s",
                "databases", Map.of("appdb", Map.of("user", "app_auth", "password", "${env:APP_PW}", "negative_cache_size", "7")));

        AuthQuerySettings appdb = source.settingsFor("appdb");
        assertThat(appdb.path()).isEqualTo("plugins[0].auth_query.databases.appdb");
        assertThat(appdb.user()).isEqualTo("app_auth");
        assertThat(appdb.password()).isEqualTo("app-pw");
        assertThat(appdb.negativeCacheSize()).isEqualTo(7);
        assertThat(appdb.cacheTtl()).isEqualTo(Duration.ofSeconds(30));
        assertThat(appdb.query()).isEqualTo(AuthQuerySettings.DEFAULT_QUERY);
        assertThat(appdb.cache()).isNotSameAs(source.settingsFor("other").cache());
        assertThat(source.settingsFor("other").user()).isEqualTo("pgwarden_auth");
        assertThat(source.settingsFor(null).user()).isEqualTo("pgwarden_auth");
    }

    @Test
    void lookupAsksTheRulesBackendAndTheClientsDatabaseByDefault() {
        AuthQuerySource source = source("user", "pgwarden_auth", "password", "${env:AUTH_PW}");

        failureOf(source.lookup("pg", "appdb", "alice").toCompletableFuture());

        assertThat(asked).containsExactly("pg/appdb/pgwarden_auth/pw-from-env");
    }

    @Test
    void lookupAsksTheConfiguredBackendAndDatabase() {
        AuthQuerySource source = source("user", "pgwarden_auth", "database", "postgres", "backend", "primary",
                "databases", Map.of("appdb", Map.of("user", "app_auth", "database", "appdb")));

        failureOf(source.lookup("pg", "other", "alice").toCompletableFuture());
        failureOf(source.lookup("pg", "appdb", "alice").toCompletableFuture());

        assertThat(asked).containsExactly("primary/postgres/pgwarden_auth/null", "primary/appdb/app_auth/null");
    }

    @Test
    void disabledDatabaseIsNotAskedAndKnowsNoUser() {
        AuthQuerySource source = source("user", "pgwarden_auth", "databases", Map.of("appdb", Map.of("enabled", "false")));

        CompletableFuture<Optional<StoredSecret>> answer = source.lookup("pg", "appdb", "alice").toCompletableFuture();

        assertThat(answer).isCompletedWithValue(Optional.empty());
        assertThat(asked).isEmpty();
    }

    @Test
    void unreachableDatabaseFailsTheLookupNamingWhereButNotThePassword() {
        AuthQuerySource source = source("user", "pgwarden_auth", "password", "${env:AUTH_PW}");

        Throwable failure = failureOf(source.lookup("pg", "appdb", "alice").toCompletableFuture());

        assertThat(failure).isInstanceOf(SQLException.class)
                .hasMessageContaining("plugins[0].auth_query").hasMessageContaining("\"alice\"")
                .hasMessageContaining("Connection to 127.0.0.1:1 refused")
                .message().doesNotContain("pw-from-env");
        assertThat(((SQLException) failure).getSQLState()).isEqualTo("08001");
    }

    @Test
    void failedLookupIsNotCached() {
        AuthQuerySource source = source("user", "pgwarden_auth");

        failureOf(source.lookup("pg", "appdb", "alice").toCompletableFuture());
        failureOf(source.lookup("pg", "appdb", "alice").toCompletableFuture());

        assertThat(asked).hasSize(2);
    }

    @Test
    void unknownBackendFailsTheLookup() {
        try (SourceTestServices noBackends = new SourceTestServices()) {
            AuthQuerySource source = AuthQuerySource.fromConfig(authQuery("user", "a"), noBackends, 4096);
            assertThat(failureOf(source.lookup("nope", "appdb", "alice").toCompletableFuture()))
                    .isInstanceOf(IllegalArgumentException.class).hasMessage("no backend named nope");
        }
    }
}
