package io.pgwarden.core.cli;

import io.pgwarden.core.config.AdminHttpConfig;
import io.pgwarden.core.config.ConfigException;
import io.pgwarden.core.config.ConfigLoader;
import io.pgwarden.core.config.PoolConfig;
import io.pgwarden.core.config.ProxyConfig;
import io.pgwarden.core.plugin.PluginHost;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code pgwarden check-config FILE}: the validation {@code serve} runs, without starting anything. */
@Command(name = "check-config", mixinStandardHelpOptions = true,
        description = {"Validate a configuration file and print every problem with its YAML path.",
            "Also checks that every plugin type is installed; auth methods and plugin settings",
            "are checked when serve starts the plugins. Exits 0 when valid, 3 when not."})
final class CheckConfigCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Parameters(index = "0", paramLabel = "FILE", description = "the configuration file, e.g. conf/pgwarden.yaml")
    private Path file;

    @Override
    public Integer call() {
        try {
            ProxyConfig config = ConfigLoader.load(file);
            checkPluginTypes(config);
            PrintWriter out = spec.commandLine().getOut();
            out.println(file + ": configuration OK");
            out.println("  listen   " + config.listen().host() + ":" + config.listen().port()
                    + " (TLS " + config.listen().tls().mode().name().toLowerCase(java.util.Locale.ROOT) + ")");
            config.backends().values().forEach(backend -> out.println("  backend  " + backend.name() + " -> "
                    + backend.host() + ":" + backend.port() + " (TLS " + backend.tls().mode().yamlName() + ")"));
            out.println("  rules    " + config.auth().rules().size());
            out.println("  pool     " + pool(config.pool()));
            out.println("  plugins  " + (config.plugins().isEmpty() ? "none"
                    : String.join(", ", config.plugins().stream().map(p -> p.type()).toList()))
                    + " (from " + config.pluginsDirectory() + ")");
            out.println("  admin    " + adminHttp(config.adminHttp()));
            return ExitCode.OK;
        } catch (ConfigException e) {
            printProblems(spec.commandLine().getErr(), file, e);
            return ExitCode.INVALID_CONFIGURATION;
        }
    }

    private static String adminHttp(AdminHttpConfig admin) {
        if (!admin.enabled()) {
            return "no HTTP endpoint";
        }
        String host = admin.host().contains(":") ? "[" + admin.host() + "]" : admin.host();
        return "HTTP " + host + ":" + admin.port() + " (/health, /ready, /metrics; backend check every "
                + admin.readyCheckInterval().toMillis() + "ms)";
    }

        private static String pool(PoolConfig pool) {
        String summary = pool.mode().yamlName() + " mode, size " + pool.size();
        int databases = pool.databases().size();
        int users = pool.users().size();
        if (databases + users == 0) {
            return summary;
        }
        return summary + "; overrides for " + databases + (databases == 1 ? " database" : " databases") + " and "
                + users + (users == 1 ? " user" : " users");
    }

    /**
     * Loads the plugin jars (without starting any plugin) so that a misspelt type is caught here too.
     * Auth methods and plugin settings are checked when {@code serve} starts the plugins.
     */
    private static void checkPluginTypes(ProxyConfig config) {
        try (PluginHost host = PluginHost.load(config.pluginsDirectory())) {
            List<String> problems = new ArrayList<>();
            for (int i = 0; i < config.plugins().size(); i++) {
                String type = config.plugins().get(i).type();
                if (!host.availableTypes().contains(type)) {
                    problems.add("plugins[" + i + "].type: unknown plugin type '" + type + "'; available: "
                            + host.describeTypes());
                }
            }
            if (!problems.isEmpty()) {
                throw new ConfigException(problems);
            }
        }
    }

    static void printProblems(PrintWriter err, Path file, ConfigException e) {
        int count = e.problems().size();
        err.println(file + ": " + count + (count == 1 ? " problem" : " problems"));
        e.problems().forEach(problem -> err.println("  " + problem));
    }
}
