package io.pgwarden.core.cli;

import io.pgwarden.core.login.ConfigDirectory;
import io.pgwarden.core.login.LoginProfile;
import io.pgwarden.core.login.ProfileFile;
import io.pgwarden.core.login.ProfileSettings;
import io.pgwarden.core.login.TokenCache;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.Objects;
import picocli.CommandLine.Option;

/**
 * The options every login command shares, {@code --profile} and {@code --config-dir}, and what they lead to: the
 * profile's name, its settings, the profile file and the token cache. Holds the environment the command runs with,
 * which tests replace.
 */
final class ProfileOptions {

    @Option(names = "--profile", paramLabel = "NAME",
            description = "the login profile (default: $PGWARDEN_PROFILE, else 'default')")
    private String profile;

    @Option(names = "--config-dir", paramLabel = "DIR",
            description = "where profiles.yaml and the token cache are (default: $PGWARDEN_CONFIG_DIR, else"
                    + " $XDG_CONFIG_HOME/pgwarden, else ~/.config/pgwarden)")
    private Path configDir;

    private Map<String, String> environment = System.getenv();

    /**
     * Replaces the environment (tests; by default the process's).
     *
     * @param environment the environment
     */
    void environment(Map<String, String> environment) {
        this.environment = Objects.requireNonNull(environment, "environment");
    }

    /** The environment the command runs with. */
    Map<String, String> environment() {
        return environment;
    }

    /** The clock that dates token expiry. */
    Clock clock() {
        return Clock.systemUTC();
    }

    /** The profile's name: {@code --profile}, else {@code PGWARDEN_PROFILE}, else {@code default}. */
    String name() {
        return ProfileSettings.name(profile, environment);
    }

    /** The config directory: {@code --config-dir}, else the environment's, else the user's. */
    ConfigDirectory directory() {
        return ConfigDirectory.resolve(configDir, environment, Path.of(System.getProperty("user.home")));
    }

    /** {@code profiles.yaml} in the config directory. */
    ProfileFile file() {
        return new ProfileFile(directory().profilesFile());
    }

    /** The token cache in the config directory. */
    TokenCache cache() {
        return new TokenCache(directory().tokensDirectory());
    }

    /** The profile's settings: the given flags, else the environment, else the profile file. */
    LoginProfile settings(LoginProfile flags) {
        return ProfileSettings.resolve(name(), flags, environment, file());
    }
}
