package io.pgwarden.core.cli;

import io.pgwarden.core.config.ConfigLoader;
import io.pgwarden.core.config.ProxyConfig;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The configuration of {@code pgwarden serve --backend HOST:PORT}: one backend named {@code default}
 * and one rule that passes every client's own authentication through to it. Built as YAML and run
 * through {@link ConfigLoader}, so it obeys exactly the rules a file does.
 */
final class QuickStart {

    private QuickStart() {
    }

    /**
     * The configuration for a backend and a listen address.
     *
     * @param backend the PostgreSQL server
     * @param listen where clients connect
     * @param home the installation directory; its {@code plugins/} folder is used when it exists
     */
    static ProxyConfig config(HostPort backend, HostPort listen, Path home) {
        StringBuilder yaml = new StringBuilder()
                .append("listen: { host: '").append(listen.host()).append("', port: ").append(listen.port()).append(" }\n")
                .append("backends:\n  default: { host: '").append(backend.host()).append("', port: ")
                .append(backend.port()).append(" }\n")
                .append("auth:\n  rules:\n    - { method: passthrough }\n");
        if (Files.isDirectory(home.resolve("plugins"))) {
            yaml.append("plugins_dir: plugins\n");
        }
        return ConfigLoader.parse(yaml.toString(), home);
    }

    /** The installation directory: {@code -Dpgwarden.home} (set by bin/pgwarden), else the working directory. */
    static Path home() {
        String home = System.getProperty("pgwarden.home");
        return Path.of(home == null || home.isBlank() ? "." : home).toAbsolutePath().normalize();
    }
}
