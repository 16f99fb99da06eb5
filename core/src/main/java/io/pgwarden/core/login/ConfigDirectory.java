package io.pgwarden.core.login;

import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * Where the login commands keep their files: {@code profiles.yaml} and {@code tokens/NAME.json}. The directory is,
 * first found: {@code --config-dir}, {@code $PGWARDEN_CONFIG_DIR}, {@code $XDG_CONFIG_HOME/pgwarden},
 * {@code ~/.config/pgwarden}.
 *
 * @param path the directory
 */
public record ConfigDirectory(Path path) {

    /** The environment variable naming the directory. */
    public static final String CONFIG_DIR_VARIABLE = "PGWARDEN_CONFIG_DIR";

    /**
     * A directory.
     *
     * @param path the directory
     */
    public ConfigDirectory {
        Objects.requireNonNull(path, "path");
    }

    /**
     * Finds the directory.
     *
     * @param flag {@code --config-dir}, or null
     * @param environment the process's environment
     * @param home the user's home directory ({@code user.home})
     * @return the directory
     */
    public static ConfigDirectory resolve(Path flag, Map<String, String> environment, Path home) {
        if (flag != null) {
            return new ConfigDirectory(flag);
        }
        String own = environment.get(CONFIG_DIR_VARIABLE);
        if (own != null && !own.isBlank()) {
            return new ConfigDirectory(Path.of(own));
        }
        String xdg = environment.get("XDG_CONFIG_HOME");
        // The XDG base directory specification: a relative path is invalid and ignored.
        if (xdg != null && !xdg.isBlank() && Path.of(xdg).isAbsolute()) {
            return new ConfigDirectory(Path.of(xdg, "pgwarden"));
        }
        return new ConfigDirectory(home.resolve(".config").resolve("pgwarden"));
    }

    /**
     * The profile file.
     *
     * @return {@code profiles.yaml} in the directory
     */
    public Path profilesFile() {
        return path.resolve("profiles.yaml");
    }

    /**
     * The directory of the token caches.
     *
     * @return {@code tokens} in the directory
     */
    public Path tokensDirectory() {
        return path.resolve("tokens");
    }
}
