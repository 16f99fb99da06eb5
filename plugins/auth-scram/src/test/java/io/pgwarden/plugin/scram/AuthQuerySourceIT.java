package io.pgwarden.plugin.scram;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgwarden.scram.ScramVerifier;
import io.pgwarden.spi.PluginConfig;
import io.pgwarden.testkit.EmbeddedPostgres;
import java.io.IOException;
import java.io.InputStream;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * auth_query against a real PostgreSQL: the default query run by a superuser, the SECURITY DEFINER
 * function of {@code auth_query/user_lookup.sql} run by an auth user that cannot read pg_authid,
 * the caches, and a database that cannot be reached.
 */
class AuthQuerySourceIT {

    private static final String AUTH_PASSWORD = "auth-Pa55-word";
    private static final String FUNCTION_QUERY = "SELECT username, password FROM pgwarden.user_lookup($1)";

    private static EmbeddedPostgres postgres;
    private static int closedPort;

    private SourceTestServices services;
    private int roleCounter;

    @BeforeAll
    static void startPostgres() throws IOException {
        postgres = EmbeddedPostgres.builder()
                .hba("host all all 127.0.0.1/32 scram-sha-256")
                .start();
        postgres.execute("postgres", "CREATE ROLE pgwarden_auth LOGIN PASSWORD '" + AUTH_PASSWORD + "'",
                "CREATE ROLE pgwarden_super SUPERUSER LOGIN PASSWORD '" + AUTH_PASSWORD + "'");
        postgres.execute("postgres", script("auth_query/user_lookup.sql"));
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
    }

    @AfterAll
    static void stopPostgres() {
        if (postgres != null) {
            postgres.close();
        }
    }

    @BeforeEach
    void createServices() {
        services = new SourceTestServices(Map.of("AUTH_PW", AUTH_PASSWORD), AuthQuerySourceIT::dataSource);
    }

    @AfterEach
    void closeServices() {
        services.close();
    }

    private static String script(String resource) throws IOException {
        try (InputStream in = Objects.requireNonNull(AuthQuerySourceIT.class.getClassLoader().getResourceAsStream(resource), resource)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** Backend "pg" is the embedded server; "down" is a port nobody listens on. */
    private static DataSource dataSource(String backend, String database, String user, String password) {
        PGSimpleDataSource dataSource = new PGSimpleDataSource();
        dataSource.setServerNames(new String[] {"127.0.0.1"});
        dataSource.setPortNumbers(new int[] {switch (backend) {
            case "pg" -> postgres.port();
            case "down" -> closedPort;
            default -> throw new IllegalArgumentException("no backend named " + backend);
        }});
        dataSource.setDatabaseName(database);
        dataSource.setUser(user);
        dataSource.setPassword(password);
        dataSource.setSslMode("disable");
        dataSource.setConnectTimeout(5);
        dataSource.setLoginTimeout(5);
        return dataSource;
    }

    /** A new login role with a SCRAM password, named for the test so that tests do not share roles. */
    private String role(String password) {
        String name = "user_" + (++roleCounter) + "_" + System.nanoTime();
        postgres.execute("postgres", "SET password_encryption = 'scram-sha-256'",
                "CREATE ROLE " + name + " LOGIN PASSWORD '" + password + "'");
        return name;
    }

    private static String rolpassword(String role) throws SQLException {
        try (Connection connection = postgres.superuserConnection(); Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SELECT rolpassword FROM pg_authid WHERE rolname = '" + role + "'")) {
            assertThat(rows.next()).isTrue();
            return rows.getString(1);
        }
    }

    private AuthQuerySource source(Object... keysAndValues) {
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("password", "${env:AUTH_PW}");
        for (int i = 0; i < keysAndValues.length; i += 2) {
            values.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return AuthQuerySource.fromConfig(new PluginConfig("plugins[0].auth_query", values), services, 4096);
    }

    private static Optional<StoredSecret> lookup(AuthQuerySource source, String database, String user) {
        return source.lookup("pg", database, user).toCompletableFuture().orTimeout(30, java.util.concurrent.TimeUnit.SECONDS).join();
    }

    private static String verifierText(Optional<StoredSecret> secret) {
        return ((StoredSecret.Scram) secret.orElseThrow()).verifier().encode();
    }

    private static Throwable failureOf(CompletableFuture<?> future) {
        assertThat(future).failsWithin(Duration.ofSeconds(30));
        Throwable e = future.handle((value, failure) -> failure).join();
        while (e instanceof CompletionException && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
    }

    @Test
    void defaultQueryAsSuperuserFindsTheVerifierPgAuthidHolds() throws Exception {
        String alice = role("alice-Pa55");
        AuthQuerySource source = source("user", "pgwarden_super");

        Optional<StoredSecret> secret = lookup(source, "postgres", alice);

        assertThat(verifierText(secret)).isEqualTo(rolpassword(alice)).startsWith(ScramVerifier.PREFIX);
        assertThat(((StoredSecret.Scram) secret.orElseThrow()).verifier().matchesPassword("alice-Pa55")).isTrue();
        assertThat(services.logger.all()).doesNotContain(AUTH_PASSWORD).doesNotContain(rolpassword(alice));
    }

    @Test
    void defaultQueryFindsAnMd5Hash() throws Exception {
        String bob = "md5_user_" + System.nanoTime();
        postgres.execute("postgres", "SET password_encryption = 'md5'", "CREATE ROLE " + bob + " LOGIN PASSWORD 'bob-Pa55'");
        AuthQuerySource source = source("user", "pgwarden_super");

        assertThat(lookup(source, "postgres", bob)).containsInstanceOf(StoredSecret.Md5.class)
                .hasValueSatisfying(secret -> assertThat(((StoredSecret.Md5) secret).hash()).isEqualTo(rolpasswordUnchecked(bob)));
    }

    private static String rolpasswordUnchecked(String role) {
        try {
            return rolpassword(role);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void rolesThatCannotLogInWithAPasswordAreUnknown() {
        String suffix = "_" + System.nanoTime();
        postgres.execute("postgres", "CREATE ROLE nopass" + suffix + " LOGIN",
                "CREATE ROLE nologin" + suffix + " NOLOGIN PASSWORD 'x-Pa55'",
                "CREATE ROLE expired" + suffix + " LOGIN PASSWORD 'x-Pa55' VALID UNTIL '2000-01-01'");
        AuthQuerySource source = source("user", "pgwarden_super", "negative_cache_ttl", "0");

        assertThat(lookup(source, "postgres", "nopass" + suffix)).isEmpty();
        assertThat(lookup(source, "postgres", "nologin" + suffix)).isEmpty();
        assertThat(lookup(source, "postgres", "expired" + suffix)).isEmpty();
    }

    @Test
    void userNameIsBoundAsAParameterNotSplicedIntoTheSql() {
        role("alice-Pa55");
        AuthQuerySource source = source("user", "pgwarden_super");

        assertThat(lookup(source, "postgres", "x' OR rolname LIKE 'user_%")).isEmpty();
        assertThat(lookup(source, "postgres", "x' OR '1'='1")).isEmpty();
    }

    @Test
    void authUserWithoutAccessToPgAuthidCannotRunTheDefaultQuery() {
        AuthQuerySource source = source("user", "pgwarden_auth");

        Throwable failure = failureOf(source.lookup("pg", "postgres", role("alice-Pa55")).toCompletableFuture());

        assertThat(failure).isInstanceOf(SQLException.class).hasMessageContaining("permission denied");
        assertThat(((SQLException) failure).getSQLState()).isEqualTo("42501");
    }

    @Test
    void authUserWithoutAccessToPgAuthidUsesTheSecurityDefinerFunction() throws Exception {
        String alice = role("alice-Pa55");
        AuthQuerySource source = source("user", "pgwarden_auth", "query", FUNCTION_QUERY);

        assertThat(verifierText(lookup(source, "postgres", alice))).isEqualTo(rolpassword(alice));
        assertThat(lookup(source, "postgres", "nobody_" + System.nanoTime())).isEmpty();
    }

    @Test
    void securityDefinerFunctionIsNotCallableByOtherRoles() {
        String mallory = role("mallory-Pa55");
        Map<String, Object> values = Map.of("user", mallory, "query", FUNCTION_QUERY, "password", "${env:MALLORY}");
        try (SourceTestServices asMallory = new SourceTestServices(Map.of("MALLORY", "mallory-Pa55"), AuthQuerySourceIT::dataSource)) {
            AuthQuerySource source = AuthQuerySource.fromConfig(new PluginConfig("plugins[0].auth_query", values), asMallory, 4096);

            Throwable failure = failureOf(source.lookup("pg", "postgres", mallory).toCompletableFuture());

            assertThat(failure).isInstanceOf(SQLException.class).hasMessageContaining("permission denied");
        }
    }

    @Test
    void securityDefinerFunctionPinsItsSearchPath() throws Exception {
        try (Connection connection = postgres.superuserConnection(); Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SELECT p.prosecdef, p.proconfig::text, r.rolname, has_function_privilege("
                     + "'public', p.oid, 'EXECUTE') FROM pg_proc p JOIN pg_roles r ON r.oid = p.proowner"
                     + " WHERE p.oid = 'pgwarden.user_lookup(text)'::regprocedure")) {
            assertThat(rows.next()).isTrue();
            assertThat(rows.getBoolean(1)).as("SECURITY DEFINER").isTrue();
            assertThat(rows.getString(2)).contains("search_path=pg_catalog, pg_temp");
            assertThat(rows.getString(3)).isEqualTo("pgwarden_lookup");
            assertThat(rows.getBoolean(4)).as("PUBLIC may execute").isFalse();
        }
    }

    @Test
    void unknownUserIsNegativelyCachedUntilItsTtlEnds() {
        String carol = "carol_" + System.nanoTime();
        AuthQuerySource source = source("user", "pgwarden_auth", "query", FUNCTION_QUERY, "negative_cache_ttl", "5s");
        assertThat(lookup(source, "postgres", carol)).isEmpty();

        postgres.execute("postgres", "CREATE ROLE " + carol + " LOGIN PASSWORD 'carol-Pa55'");
        assertThat(lookup(source, "postgres", carol)).as("still remembered as unknown").isEmpty();

        services.clock.advance(Duration.ofSeconds(5));
        assertThat(lookup(source, "postgres", carol)).isPresent();
    }

    @Test
    void foundSecretIsReusedUntilTheCacheTtlEnds() throws Exception {
        String dave = role("dave-Pa55");
        AuthQuerySource source = source("user", "pgwarden_auth", "query", FUNCTION_QUERY, "cache_ttl", "60s");
        String before = verifierText(lookup(source, "postgres", dave));

        postgres.execute("postgres", "ALTER ROLE " + dave + " PASSWORD 'dave-changed-Pa55'");
        services.clock.advance(Duration.ofSeconds(59));
        assertThat(verifierText(lookup(source, "postgres", dave))).as("cached").isEqualTo(before);

        services.clock.advance(Duration.ofSeconds(1));
        String after = verifierText(lookup(source, "postgres", dave));
        assertThat(after).isNotEqualTo(before).isEqualTo(rolpassword(dave));
    }

    @Test
    void disabledCacheAsksEveryTime() throws Exception {
        String erin = role("erin-Pa55");
        AuthQuerySource source = source("user", "pgwarden_auth", "query", FUNCTION_QUERY, "cache_ttl", "0");
        String before = verifierText(lookup(source, "postgres", erin));

        postgres.execute("postgres", "ALTER ROLE " + erin + " PASSWORD 'erin-changed-Pa55'");

        assertThat(verifierText(lookup(source, "postgres", erin))).isNotEqualTo(before).isEqualTo(rolpassword(erin));
    }

    @Test
    void firstOfSeveralRowsCountsAndIsWarnedAboutOnce() {
        AuthQuerySource source = source("user", "pgwarden_auth", "query",
                "WITH n AS (SELECT $1::text AS name) SELECT name, secret FROM n,"
                        + " (VALUES (1, 'first-Pa55'), (2, 'second-Pa55')) AS v(i, secret) ORDER BY i");

        StoredSecret.Plain first = (StoredSecret.Plain) lookup(source, "postgres", "frank").orElseThrow();
        lookup(source, "postgres", "grace");

        assertThat(first.password()).isEqualTo("first-Pa55");
        assertThat(first.verifier().matchesPassword("first-Pa55")).isTrue();
        assertThat(services.logger.messages(Level.WARNING)).singleElement().asString()
                .contains("more than one row", "\"frank\"").doesNotContain("Pa55");
    }

    @Test
    void nullSecretIsUnknown() {
        AuthQuerySource source = source("user", "pgwarden_auth", "query", "SELECT $1::text, NULL::text");

        assertThat(lookup(source, "postgres", "henry")).isEmpty();
    }

    @Test
    void queryReturningOneColumnFailsTheLookup() {
        AuthQuerySource source = source("user", "pgwarden_auth", "query", "SELECT $1::text");

        assertThat(failureOf(source.lookup("pg", "postgres", "ivan").toCompletableFuture()))
                .hasMessageContaining("must return two columns");
    }

    @Test
    void perDatabaseSettingsPickTheAuthUserAndTheDatabaseAsked() throws Exception {
        String judy = role("judy-Pa55");
        AuthQuerySource source = source("user", "pgwarden_super", "databases",
                Map.of("appdb", Map.of("user", "pgwarden_auth", "query", FUNCTION_QUERY, "database", "postgres"),
                        "offdb", Map.of("enabled", "false")));

        assertThat(verifierText(lookup(source, "appdb", judy))).isEqualTo(rolpassword(judy));
        assertThat(lookup(source, "offdb", judy)).isEmpty();
    }

    @Test
    void unreachableDatabaseFailsTheLookupRatherThanCallingTheUserUnknown() {
        AuthQuerySource source = source("user", "pgwarden_auth", "backend", "down");

        Throwable failure = failureOf(source.lookup("pg", "postgres", "alice").toCompletableFuture());

        assertThat(failure).isInstanceOf(SQLException.class).hasMessageContaining("backend \"down\"");
        assertThat(((SQLException) failure).getSQLState()).startsWith("08");
        assertThat(failure.getMessage()).doesNotContain(AUTH_PASSWORD);
    }

    @Test
    void missingDatabaseFailsTheLookup() {
        AuthQuerySource source = source("user", "pgwarden_auth", "query", FUNCTION_QUERY);

        Throwable failure = failureOf(source.lookup("pg", "no_such_db", "alice").toCompletableFuture());

        assertThat(failure).isInstanceOf(SQLException.class).hasMessageContaining("no_such_db");
    }

    @Test
    void wrongAuthPasswordFailsTheLookup() {
        try (SourceTestServices wrong = new SourceTestServices(Map.of("AUTH_PW", "not-the-password"), AuthQuerySourceIT::dataSource)) {
            AuthQuerySource source = AuthQuerySource.fromConfig(new PluginConfig("plugins[0].auth_query",
                    Map.of("user", "pgwarden_auth", "password", "${env:AUTH_PW}", "query", FUNCTION_QUERY)), wrong, 4096);

            Throwable failure = failureOf(source.lookup("pg", "postgres", "alice").toCompletableFuture());

            assertThat(failure).isInstanceOf(SQLException.class).hasMessageContaining("password authentication failed");
            assertThat(failure.getMessage()).doesNotContain("not-the-password");
        }
    }
}
