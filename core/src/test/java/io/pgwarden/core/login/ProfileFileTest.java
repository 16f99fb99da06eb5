package io.pgwarden.core.login;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProfileFileTest {

    @TempDir
    Path directory;

    private ProfileFile file(String yaml) throws IOException {
        Path path = directory.resolve("profiles.yaml");
        Files.writeString(path, yaml);
        return new ProfileFile(path);
    }

    @Test
    void readsEveryKeyOfEveryProfile() throws IOException {
        ProfileFile file = file("""
                default:
                  issuer: https://login.example.com/realms/main
                  client_id: pgwarden-cli
                  scopes: [openid, offline_access]
                  host: pgwarden.internal
                  port: 6432
                  sslmode: verify-full
                  dbname: analytics
                  user: alice
                staging:
                  issuer: https://login.example.com/realms/staging
                  scopes: openid profile
                """);
        assertThat(file.get("default")).isEqualTo(new LoginProfile(URI.create("https://login.example.com/realms/main"),
                "pgwarden-cli", List.of("openid", "offline_access"), "pgwarden.internal", 6432, "verify-full", "analytics",
                "alice"));
        assertThat(file.get("staging").scopes()).containsExactly("openid", "profile");
        assertThat(file.get("missing")).isEqualTo(LoginProfile.EMPTY);
    }

    @Test
    void noFileMeansNoProfiles() {
        assertThat(new ProfileFile(directory.resolve("absent.yaml")).load()).isEmpty();
    }

    @Test
    void anEmptyFileMeansNoProfiles() throws IOException {
        assertThat(file("# nothing yet\n").load()).isEmpty();
    }

    @Test
    void aWrongPortNamesTheFileAndTheYamlPath() throws IOException {
        ProfileFile file = file("default:\n  port: sixty\n");
        assertThatThrownBy(file::load).isInstanceOf(LoginException.class)
                .hasMessage(file.path() + ": default.port: expected a port 1-65535, found 'sixty'");
    }

    @Test
    void anUnknownKeyIsRefusedWithItsPath() throws IOException {
        ProfileFile file = file("work:\n  isuer: https://login.example.com\n");
        assertThatThrownBy(file::load).isInstanceOf(LoginException.class)
                .hasMessageStartingWith(file.path() + ": work.isuer: unknown key");
    }

    @Test
    void aWrongSslmodeIsRefusedWithItsPath() throws IOException {
        ProfileFile file = file("default:\n  sslmode: required\n");
        assertThatThrownBy(file::load).hasMessageStartingWith(file.path() + ": default.sslmode: expected one of disable");
    }

    @Test
    void anIssuerThatIsNotAnHttpUrlIsRefused() throws IOException {
        ProfileFile file = file("default:\n  issuer: login.example.com\n");
        assertThatThrownBy(file::load).hasMessageStartingWith(file.path() + ": default.issuer: expected the issuer as an"
                + " https:// URL");
    }

    @Test
    void aScopeThatIsNotAStringIsRefusedWithItsIndex() throws IOException {
        ProfileFile file = file("default:\n  scopes: [openid, {a: b}]\n");
        assertThatThrownBy(file::load).hasMessage(file.path() + ": default.scopes[1]: expected a scope without spaces");
    }

    @Test
    void aProfileThatIsNotAMappingIsRefused() throws IOException {
        ProfileFile file = file("default: https://login.example.com\n");
        assertThatThrownBy(file::load).hasMessageStartingWith(file.path() + ": default: expected a mapping");
    }

    @Test
    void aDocumentThatIsNotAMappingIsRefused() throws IOException {
        ProfileFile file = file("- default\n- staging\n");
        assertThatThrownBy(file::load).hasMessage(file.path() + ": expected a mapping of profile names to profiles");
    }

    @Test
    void brokenYamlIsRefusedNamingTheFile() throws IOException {
        ProfileFile file = file("default:\n  issuer: [unclosed\n");
        assertThatThrownBy(file::load).hasMessageStartingWith(file.path() + ": not valid YAML");
    }

    @Test
    void aDuplicateKeyIsRefused() throws IOException {
        ProfileFile file = file("default:\n  user: alice\n  user: bob\n");
        assertThatThrownBy(file::load).hasMessageStartingWith(file.path() + ": not valid YAML: found duplicate key user")
                .hasMessageEndingWith("(line 3)");
    }

    @Test
    void aProfileNameThatCouldLeaveTheTokenDirectoryIsRefused() throws IOException {
        ProfileFile file = file("\"../evil\":\n  user: alice\n");
        assertThatThrownBy(file::load).hasMessageContaining("the profile name '../evil' is not valid");
    }

    @Test
    void aYamlTagIsNotConstructed() throws IOException {
        ProfileFile file = file("default: !!java.io.File [\"/etc/passwd\"]\n");
        assertThatThrownBy(file::load).hasMessageStartingWith(file.path() + ": not valid YAML");
    }

    @Test
    void updateSetsTheGivenFieldsAndKeepsTheRest() throws IOException {
        ProfileFile file = file("""
                default:
                  issuer: https://login.example.com/realms/main
                  client_id: pgwarden-cli
                  user: alice
                other:
                  host: db.example.com
                """);
        file.update("default", new LoginProfile(null, null, List.of("openid", "groups"), "pgwarden.internal", 6432, null,
                null, null));
        file.update("new", new LoginProfile(URI.create("https://login.example.com/realms/new"), "cli", null, null, null,
                null, null, null));
        assertThat(file.get("default")).isEqualTo(new LoginProfile(URI.create("https://login.example.com/realms/main"),
                "pgwarden-cli", List.of("openid", "groups"), "pgwarden.internal", 6432, null, null, "alice"));
        assertThat(file.get("other").host()).isEqualTo("db.example.com");
        assertThat(file.get("new").clientId()).isEqualTo("cli");
        try (var listing = Files.list(directory)) {
            assertThat(listing.map(path -> path.getFileName().toString())).containsExactly("profiles.yaml");
        }
    }

    @Test
    void updateCreatesTheFileAndItsDirectory() {
        ProfileFile file = new ProfileFile(directory.resolve("config/pgwarden/profiles.yaml"));
        file.update("default", new LoginProfile(null, "cli", null, null, null, null, null, null));
        assertThat(file.get("default").clientId()).isEqualTo("cli");
    }
}
