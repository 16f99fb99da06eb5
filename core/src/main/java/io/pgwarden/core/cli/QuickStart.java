package io.pgwarden.core.cli;

import io.pgwarden.core.config.ConfigLoader;
import io.pgwarden.core.config.PoolMode;
import io.pgwarden.core.config.ProxyConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.StringJoiner;
import picocli.CommandLine;

/**
 * The configuration of {@code pgwarden serve --backend HOST:PORT}: one backend named {@code default}
 * and one rule that passes every client's own authentication through to it, optionally with a pool mode
 * and size. Built as YAML and run through {@link ConfigLoader}, so it obeys exactly the rules a file does.
 */
final class QuickStart {

    /** The largest {@code --pool-size}, the same as {@code pool.size} in a file. */
    static final int MAX_POOL_SIZE = 10_000;

    private QuickStart() {
    }

    /**
     * The configuration for a backend and a listen address.
     *
     * @param backend the PostgreSQL server
     * @param listen where clients connect
     * @param poolMode the pool mode, or null for the default
     * @param poolSize the pool size, or null for the default
     * @param home the installation directory; its {@code plugins/} folder is used when it exists
     */
    static ProxyConfig config(HostPort backend, HostPort listen, PoolMode poolMode, Integer poolSize, Path home) {
        StringBuilder yaml = new StringBuilder()
                .append("listen: { host: '").append(listen.host()).append("', port: ").append(listen.port()).append(" }\n")
                .append("backends:\n  default: { host: '").append(backend.host()).append("', port: ")
                .append(backend.port()).append(" }\n")
                .append("auth:\n  rules:\n    - { method: passthrough }\n");
        if (Files.isDirectory(home.resolve("plugins"))) {
            yaml.append("plugins_dir: plugins\n");
        }
        if (poolMode != null || poolSize != null) {
            StringJoiner pool = new StringJoiner(", ", "pool: { ", " }\n");
            if (poolMode != null) {
                pool.add("mode: " + poolMode.yamlName());
            }
            if (poolSize != null) {
                pool.add("size: " + poolSize);
            }
            yaml.append(pool);
        }
        return ConfigLoader.parse(yaml.toString(), home);
    }

    /** The installation directory: {@code -Dpgwarden.home} (set by bin/pgwarden), else the working directory. */
    static Path home() {
        String home = System.getProperty("pgwarden.home");
        return Path.of(home == null || home.isBlank() ? "." : home).toAbsolutePath().normalize();
    }

    /** {@code --pool-mode}: session or transaction, spelled as in the file. */
    static final class PoolModeConverter implements CommandLine.ITypeConverter<PoolMode> {
        @Override
        public PoolMode convert(String value) {
            String mode = value.trim();
            if (mode.equals("statement")) {
                throw new CommandLine.TypeConversionException("statement mode is not supported; use transaction");
            }
            for (PoolMode candidate : PoolMode.values()) {
                if (candidate.yamlName().equals(mode)) {
                    return candidate;
                }
            }
            throw new CommandLine.TypeConversionException("expected session or transaction, found '" + value + "'");
        }
    }

    /** {@code --pool-size}: server connections per pool, 1 to {@value #MAX_POOL_SIZE}. */
    static final class PoolSizeConverter implements CommandLine.ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            try {
                int size = Integer.parseInt(value.trim());
                if (size >= 1 && size <= MAX_POOL_SIZE) {
                    return size;
                }
            } catch (NumberFormatException e) {
                // reported below with the value as written
            }
            throw new CommandLine.TypeConversionException("expected a pool size 1-" + MAX_POOL_SIZE + ", found '"
                    + value + "'");
        }
    }
}
