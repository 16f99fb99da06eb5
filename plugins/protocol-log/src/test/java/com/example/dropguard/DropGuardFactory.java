package com.example.dropguard;

import io.pgwarden.spi.Interceptor;
import io.pgwarden.spi.InterceptorFactory;
import io.pgwarden.spi.PluginConfig;
import io.pgwarden.spi.Services;
import java.nio.file.Path;

/**
 * The example of docs/plugins.md: refuses {@code DROP TABLE} to people outside a group.
 *
 * <pre>
 * plugins:
 *   - type: drop-guard
 *     allowed_group: dba                       # identity group that may drop tables
 *     members_file: /etc/pgwarden/droppers.txt # optional: more user names, one per line
 * </pre>
 */
public final class DropGuardFactory implements InterceptorFactory {

    @Override
    public String type() {
        return "drop-guard";
    }

    @Override
    public Interceptor create(PluginConfig config, Services services) {
        String group = config.requireString("allowed_group");
        Path membersFile = config.string("members_file").map(Path::of).orElse(null);
        services.logger().log(System.Logger.Level.INFO, "DROP TABLE is reserved for group {0}", group);
        return new DropGuardInterceptor(group, membersFile, services.blockingExecutor(),
                services.metrics().counter("example.drop_guard.refused", "DROP TABLE statements refused"));
    }
}
