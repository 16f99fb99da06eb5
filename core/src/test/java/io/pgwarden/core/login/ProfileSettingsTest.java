package io.pgwarden.core.login;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProfileSettingsTest {

    @TempDir
    Path directory;

    private ProfileFile file() throws IOException {
        Path path = directory.resolve("profiles.yaml");
        Files.writeString(path, """
                default:
                  issuer: https://file.example.com
                  client_id: from-file
                  host: file-host
                  port: 1111
                  dbname: file-db
                """);
        return new ProfileFile(path);
    }

    @Test
    void flagsComeBeforeTheEnvironmentWhichComesBeforeTheFile() throws IOException {
        LoginProfile flags = new LoginProfile(URI.create("https://flag.example.com"), null, null, null, null, null, null,
                null);
        Map<String, String> environment = Map.of("PGWARDEN_ISSUER", "https://env.example.com",
                "PGWARDEN_CLIENT_ID", "from-env", "PGWARDEN_PORT", "2222", "PGWARDEN_SCOPES", "openid groups");
        LoginProfile settings = ProfileSettings.resolve("default", flags, environment, file());
        assertThat(settings).isEqualTo(new LoginProfile(URI.create("https://flag.example.com"), "from-env",
                List.of("openid", "groups"), "file-host", 2222, null, "file-db", null));
    }

    @Test
    void anEmptyVariableCountsAsUnset() throws IOException {
        LoginProfile settings = ProfileSettings.resolve("default", LoginProfile.EMPTY, Map.of("PGWARDEN_CLIENT_ID", ""),
                file());
        assertThat(settings.clientId()).isEqualTo("from-file");
    }

    @Test
    void aWrongVariableIsNamed() throws IOException {
        ProfileFile file = file();
        assertThatThrownBy(() -> ProfileSettings.resolve("default", LoginProfile.EMPTY, Map.of("PGWARDEN_PORT", "0"), file))
                .isInstanceOf(LoginException.class).hasMessage("PGWARDEN_PORT: expected a port 1-65535, found '0'");
        assertThatThrownBy(() -> ProfileSettings.resolve("default", LoginProfile.EMPTY,
                Map.of("PGWARDEN_SSLMODE", "on"), file)).hasMessageStartingWith("PGWARDEN_SSLMODE: expected one of");
    }

    @Test
    void theProfileIsTheFlagThenTheVariableThenDefault() {
        assertThat(ProfileSettings.name("work", Map.of("PGWARDEN_PROFILE", "home"))).isEqualTo("work");
        assertThat(ProfileSettings.name(null, Map.of("PGWARDEN_PROFILE", "home"))).isEqualTo("home");
        assertThat(ProfileSettings.name(null, Map.of())).isEqualTo("default");
        assertThatThrownBy(() -> ProfileSettings.name("../../etc", Map.of())).isInstanceOf(LoginException.class)
                .hasMessageStartingWith("the profile name '../../etc' is not valid");
        assertThatThrownBy(() -> ProfileSettings.name(null, Map.of("PGWARDEN_PROFILE", ".hidden")))
                .isInstanceOf(LoginException.class);
    }

    @Test
    void aLoginWithoutIssuerOrClientSaysWhereToGiveThem() {
        ProfileFile file = new ProfileFile(directory.resolve("profiles.yaml"));
        assertThatThrownBy(() -> ProfileSettings.requireProvider("default", LoginProfile.EMPTY, file))
                .hasMessage("no issuer for profile default: give --issuer, PGWARDEN_ISSUER, or issuer in " + file.path());
        LoginProfile issuerOnly = new LoginProfile(URI.create("https://login.example.com"), null, null, null, null, null,
                null, null);
        assertThatThrownBy(() -> ProfileSettings.requireProvider("default", issuerOnly, file))
                .hasMessage("no client id for profile default: give --client-id, PGWARDEN_CLIENT_ID, or client_id in "
                        + file.path());
    }

    @Test
    void theDefaultScopeIsOpenid() {
        assertThat(LoginProfile.EMPTY.scopesOrDefault()).containsExactly("openid");
    }

    @Test
    void theConfigDirectoryIsTheFlagThenOursThenXdgThenHome() {
        Path home = Path.of("/home/alice");
        Map<String, String> both = Map.of("PGWARDEN_CONFIG_DIR", "/etc/pgw", "XDG_CONFIG_HOME", "/xdg");
        assertThat(ConfigDirectory.resolve(Path.of("/flag"), both, home).path()).isEqualTo(Path.of("/flag"));
        assertThat(ConfigDirectory.resolve(null, both, home).path()).isEqualTo(Path.of("/etc/pgw"));
        assertThat(ConfigDirectory.resolve(null, Map.of("XDG_CONFIG_HOME", "/xdg"), home).path())
                .isEqualTo(Path.of("/xdg/pgwarden"));
        assertThat(ConfigDirectory.resolve(null, Map.of("XDG_CONFIG_HOME", "relative"), home).path())
                .isEqualTo(Path.of("/home/alice/.config/pgwarden"));
        assertThat(ConfigDirectory.resolve(null, Map.of(), home).tokensDirectory())
                .isEqualTo(Path.of("/home/alice/.config/pgwarden/tokens"));
    }
}
