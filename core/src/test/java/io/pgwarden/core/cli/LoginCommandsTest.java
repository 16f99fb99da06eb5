package io.pgwarden.core.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgwarden.core.login.CachedTokens;
import io.pgwarden.core.login.TokenCache;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The login commands in-process, for what needs no identity provider; the flows themselves run in it/login. */
class LoginCommandsTest {

    private static final String ACCESS = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2ln";
    private static final URI ISSUER = URI.create("https://login.example.com/realms/main");
    private static final Instant FAR = Instant.parse("2099-01-01T00:00:00Z");

    @TempDir
    Path directory;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();
    private final Map<String, String> environment = new HashMap<>(Map.of("PATH", "/usr/bin:/bin"));

    /** Runs {@code pgwarden COMMAND --config-dir DIR ARGS...} with {@link #environment}. */
    private int run(String command, String... args) {
        CommandLine commandLine = PgwardenCli.commandLine();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        // The login commands' ProfileOptions mixin is their field "options".
        ((ProfileOptions) commandLine.getSubcommands().get(command).getMixins().get("options")).environment(environment);
        List<String> all = new ArrayList<>(List.of(command, "--config-dir", directory.toString()));
        all.addAll(List.of(args));
        return commandLine.execute(all.toArray(String[]::new));
    }

    private TokenCache cache() {
        return new TokenCache(directory.resolve("tokens"));
    }

    @Test
    void tokenPrintsTheCachedTokenAndNothingElse() {
        cache().write("default", new CachedTokens(ISSUER, "cli", ACCESS, "refresh", FAR));
        assertThat(run("token")).isEqualTo(ExitCode.OK);
        assertThat(out).hasToString(ACCESS + System.lineSeparator());
        assertThat(err.toString()).isEmpty();
    }

    @Test
    void tokenReadsTheProfileFromTheEnvironment() {
        cache().write("staging", new CachedTokens(ISSUER, "cli", ACCESS, null, FAR));
        environment.put("PGWARDEN_PROFILE", "staging");
        assertThat(run("token")).isEqualTo(ExitCode.OK);
        assertThat(out.toString()).startsWith(ACCESS);
    }

    @Test
    void tokenWithoutLoginSaysToLogIn() {
        assertThat(run("token", "--profile", "work")).isEqualTo(ExitCode.RUNTIME_FAILURE);
        assertThat(err.toString()).isEqualTo("pgwarden: not logged in with profile work; run pgwarden login --profile work"
                + System.lineSeparator());
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void tokenOfAnExpiredLoginWithoutRefreshTokenSaysTheLoginExpired() {
        cache().write("default", new CachedTokens(ISSUER, "cli", ACCESS, null, Instant.now().minusSeconds(5)));
        assertThat(run("token")).isEqualTo(ExitCode.RUNTIME_FAILURE);
        assertThat(err.toString()).contains("login expired").contains("run pgwarden login --profile default")
                .doesNotContain(ACCESS);
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void tokenRefusesACacheOthersMayRead() throws IOException {
        cache().write("default", new CachedTokens(ISSUER, "cli", ACCESS, null, FAR));
        Files.setPosixFilePermissions(cache().file("default"), PosixFilePermissions.fromString("rw-rw----"));
        assertThat(run("token")).isEqualTo(ExitCode.RUNTIME_FAILURE);
        assertThat(err.toString()).contains("refusing to use").doesNotContain(ACCESS);
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void tokenMinValidityMustBeSeconds() {
        assertThat(run("token", "--min-validity", "5m")).isEqualTo(ExitCode.USAGE);
        assertThat(err.toString()).contains("expected seconds 0-86400, found '5m'");
    }

    @Test
    void logoutDeletesTheTokensAndKeepsTheProfile() throws IOException {
        Files.writeString(directory.resolve("profiles.yaml"), "default:\n  client_id: cli\n");
        cache().write("default", new CachedTokens(ISSUER, "cli", ACCESS, null, FAR));
        assertThat(run("logout")).isEqualTo(ExitCode.OK);
        assertThat(cache().read("default")).isEmpty();
        assertThat(directory.resolve("profiles.yaml")).exists();
        assertThat(err.toString()).contains("Logged out of profile default.");
        assertThat(run("logout")).isEqualTo(ExitCode.OK);
        assertThat(err.toString()).contains("Not logged in with profile default.");
    }

    @Test
    void logoutDeletesADamagedCacheWithAWarning() throws IOException {
        cache().write("default", new CachedTokens(ISSUER, "cli", ACCESS, "refresh", FAR));
        Files.writeString(cache().file("default"), "{broken");
        assertThat(run("logout")).isEqualTo(ExitCode.OK);
        assertThat(err.toString()).contains("warning: the token cache").contains("is damaged")
                .contains("Logged out of profile default.");
        assertThat(cache().file("default")).doesNotExist();
    }

    @Test
    void loginWithoutIssuerSaysWhereToGiveIt() {
        assertThat(run("login", "--client-id", "cli")).isEqualTo(ExitCode.RUNTIME_FAILURE);
        assertThat(err.toString()).contains("no issuer for profile default: give --issuer, PGWARDEN_ISSUER, or issuer in "
                + directory.resolve("profiles.yaml"));
    }

    @Test
    void loginRefusesAPlainHttpIssuerOnAnotherHost() {
        assertThat(run("login", "--issuer", "http://login.example.com/realms/main", "--client-id", "cli"))
                .isEqualTo(ExitCode.RUNTIME_FAILURE);
        assertThat(err.toString()).contains("the issuer http://login.example.com/realms/main is not https://");
        assertThat(directory.resolve("profiles.yaml")).doesNotExist();
    }

    @Test
    void loginOptionsWithWrongValuesAreUsageErrors() {
        assertThat(run("login", "--port", "70000")).isEqualTo(ExitCode.USAGE);
        assertThat(err.toString()).contains("--port: expected a port 1-65535, found '70000'");
        assertThat(run("login", "--issuer", "login.example.com")).isEqualTo(ExitCode.USAGE);
        assertThat(run("login", "--sslmode", "on")).isEqualTo(ExitCode.USAGE);
        assertThat(run("login", "--device", "--browser")).isEqualTo(ExitCode.USAGE);
    }

    @Test
    void aBadProfileFileIsNamedWithItsYamlPath() throws IOException {
        Path file = directory.resolve("profiles.yaml");
        Files.writeString(file, "default:\n  issuer: https://login.example.com\n  client_id: [a, b]\n");
        assertThat(run("login")).isEqualTo(ExitCode.RUNTIME_FAILURE);
        assertThat(err.toString()).contains(file + ": default.client_id: expected a non-empty string");
    }

    @Test
    void psqlRunsWithTheTokenAndTheProfilesConnectionAndEndsWithItsExitCode() throws IOException {
        Files.writeString(directory.resolve("profiles.yaml"), """
                default:
                  host: pgwarden.internal
                  port: 6432
                  dbname: analytics
                  user: alice
                """);
        cache().write("default", new CachedTokens(ISSUER, "cli", ACCESS, null, FAR));
        Path seen = directory.resolve("seen.txt");
        Path psql = fakePsql(seen, 7);
        assertThat(run("psql", "--psql", psql.toString(), "-c", "select 1", "--profile", "other")).isEqualTo(7);
        assertThat(Files.readAllLines(seen)).containsExactly("PGPASSWORD=" + ACCESS, "PGHOST=pgwarden.internal",
                "PGPORT=6432", "PGSSLMODE=require", "PGDATABASE=analytics", "PGUSER=alice",
                "ARG=-c", "ARG=select 1", "ARG=--profile", "ARG=other");
    }

    @Test
    void psqlArgumentsAfterDoubleDashAreAllPsqls() throws IOException {
        cache().write("default", new CachedTokens(ISSUER, "cli", ACCESS, null, FAR));
        Path seen = directory.resolve("seen.txt");
        assertThat(run("psql", "--psql", fakePsql(seen, 0).toString(), "--", "--help")).isEqualTo(0);
        assertThat(Files.readAllLines(seen)).contains("ARG=--help");
    }

    @Test
    void psqlMissingFromThePathIsSaidClearly() {
        cache().write("default", new CachedTokens(ISSUER, "cli", ACCESS, null, FAR));
        environment.put("PATH", directory.toString());
        assertThat(run("psql", "-c", "select 1")).isEqualTo(ExitCode.RUNTIME_FAILURE);
        assertThat(err.toString()).contains("psql is not on the PATH; install the PostgreSQL client");
    }

    @Test
    void psqlWithoutLoginDoesNotStartPsql() throws IOException {
        Path seen = directory.resolve("seen.txt");
        assertThat(run("psql", "--psql", fakePsql(seen, 0).toString())).isEqualTo(ExitCode.RUNTIME_FAILURE);
        assertThat(err.toString()).contains("not logged in with profile default");
        assertThat(seen).doesNotExist();
    }

    /** A script standing in for psql: writes libpq's variables and its arguments to {@code seen}, exits with {@code status}. */
    private Path fakePsql(Path seen, int status) throws IOException {
        Path script = directory.resolve("psql");
        Files.writeString(script, """
                #!/bin/sh
                {
                  for v in PGPASSWORD PGHOST PGPORT PGSSLMODE PGDATABASE PGUSER; do
                    eval "value=\\${$v-}"; [ -n "$value" ] && printf '%%s=%%s\\n' "$v" "$value"
                  done
                  for a in "$@"; do printf 'ARG=%%s\\n' "$a"; done
                } > '%s'
                exit %d
                """.formatted(seen, status));
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        return script;
    }
}
