package io.pgwarden.core.login;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenCacheTest {

    private static final String ACCESS = "eyJhbGciOiJSUzI1NiJ9.access-secret.sig";
    private static final String REFRESH = "refresh-secret-7Hq";
    private static final CachedTokens TOKENS = new CachedTokens(URI.create("https://login.example.com/realms/main"),
            "pgwarden-cli", ACCESS, REFRESH, Instant.ofEpochSecond(1_800_000_000L));

    @TempDir
    Path directory;

    private TokenCache cache() {
        return new TokenCache(directory.resolve("tokens"));
    }

    @Test
    void writtenTokensReadBack() {
        cache().write("default", TOKENS);
        assertThat(cache().read("default")).contains(TOKENS);
    }

    @Test
    void theDirectoryIs0700AndTheFile0600() throws IOException {
        cache().write("default", TOKENS);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(directory.resolve("tokens"))))
                .isEqualTo("rwx------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(cache().file("default"))))
                .isEqualTo("rw-------");
    }

    @Test
    void anExistingTokenDirectoryOpenToOthersIsClosed() throws IOException {
        Files.createDirectory(directory.resolve("tokens"), PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rwxr-xr-x")));
        cache().write("default", TOKENS);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(directory.resolve("tokens"))))
                .isEqualTo("rwx------");
    }

    @Test
    void aRewriteReplacesTheFileAndLeavesNoTemporaryFile() throws IOException {
        cache().write("default", TOKENS);
        CachedTokens newer = new CachedTokens(TOKENS.issuer(), TOKENS.clientId(), "new-access", null, null);
        cache().write("default", newer);
        assertThat(cache().read("default")).contains(newer);
        try (Stream<Path> files = Files.list(directory.resolve("tokens"))) {
            assertThat(files.map(path -> path.getFileName().toString())).containsExactly("default.json");
        }
    }

    @Test
    void aFileOthersMayReadIsRefused() throws IOException {
        cache().write("default", TOKENS);
        Path file = cache().file("default");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        assertThatThrownBy(() -> cache().read("default")).isInstanceOf(LoginException.class)
                .hasMessageStartingWith("refusing to use " + file + ": other users may read or change it (rw-r--r--)")
                .hasMessageNotContaining(ACCESS);
    }

    @Test
    void noFileMeansNotLoggedIn() {
        assertThat(cache().read("default")).isEmpty();
    }

    @Test
    void aDamagedFileSaysToLogInAgainWithoutShowingItsContent() throws IOException {
        cache().write("default", TOKENS);
        Path file = cache().file("default");
        Files.writeString(file, "{\"access_token\": \"" + ACCESS + "\", \"refresh_token\": ");
        assertThatThrownBy(() -> cache().read("default")).isInstanceOf(LoginException.class)
                .hasMessage("the token cache " + file + " is damaged (not the JSON pgwarden login writes); run pgwarden"
                        + " login --profile default")
                .hasMessageNotContaining(ACCESS);
    }

    @Test
    void aCacheWithoutAccessTokenIsDamaged() throws IOException {
        cache().write("default", TOKENS);
        Files.writeString(cache().file("default"), "{\"issuer\": \"https://login.example.com\", \"client_id\": \"c\"}");
        assertThatThrownBy(() -> cache().read("default"))
                .hasMessageContaining("is damaged (issuer, client_id or access_token missing)");
    }

    @Test
    void aCacheWithAWrongTypeIsDamaged() throws IOException {
        cache().write("default", TOKENS);
        Files.writeString(cache().file("default"), "{\"issuer\": \"https://login.example.com\", \"client_id\": \"c\","
                + " \"access_token\": \"a\", \"expires_at\": \"tomorrow\"}");
        assertThatThrownBy(() -> cache().read("default")).hasMessageContaining("is damaged (expires_at is not a number)");
        Files.writeString(cache().file("default"), "[1, 2]");
        assertThatThrownBy(() -> cache().read("default")).hasMessageContaining("is damaged");
    }

    @Test
    void deleteRemovesTheTokens() {
        cache().write("default", TOKENS);
        assertThat(cache().delete("default")).isTrue();
        assertThat(cache().read("default")).isEmpty();
        assertThat(cache().delete("default")).isFalse();
    }

    @Test
    void profilesHaveTheirOwnFiles() {
        cache().write("staging", TOKENS);
        assertThat(cache().read("default")).isEmpty();
        assertThat(cache().file("staging")).isEqualTo(directory.resolve("tokens/staging.json"));
        assertThatThrownBy(() -> cache().file("../x")).isInstanceOf(LoginException.class);
    }

    @Test
    void cachedTokensNeverShowTheirTokens() {
        assertThat(TOKENS.toString()).doesNotContain(ACCESS).doesNotContain(REFRESH).contains("refreshToken=present");
    }
}
