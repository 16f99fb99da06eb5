package io.pgwarden.core.cli;

import io.pgwarden.core.config.ConfigLoader;
import io.pgwarden.core.config.PoolMode;
import io.pgwarden.core.config.ProxyConfig;
import io.pgwarden.core.server.PgwardenServer;
import io.pgwarden.core.server.ReloadSignal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code pgwarden serve}: validate the configuration, start the proxy, run until SIGTERM or SIGINT. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"Run the proxy until SIGTERM or SIGINT (Ctrl-C), then shut down gracefully.",
            "With --config, or with neither option the installation's conf/pgwarden.yaml;",
            "with --backend, a quick start without a file: one backend and a passthrough rule."})
final class ServeCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Mixin
    private LogFormatOption logFormat;

    @Option(names = "--config", paramLabel = "FILE", description = "the configuration file")
    private Path config;

    @Option(names = "--backend", paramLabel = "HOST:PORT", converter = HostPort.BackendConverter.class,
            description = "quick start: the PostgreSQL server (port default 5432)")
    private HostPort backend;

    @Option(names = "--listen", paramLabel = "HOST:PORT", converter = HostPort.ListenConverter.class,
            description = "quick start: where clients connect (default 127.0.0.1:6432)")
    private HostPort listen;

    @Option(names = "--pool-mode", paramLabel = "MODE", converter = QuickStart.PoolModeConverter.class,
            description = "quick start: session (default) or transaction")
    private PoolMode poolMode;

    @Option(names = "--pool-size", paramLabel = "N", converter = QuickStart.PoolSizeConverter.class,
            description = "quick start: server connections per pool, 1-" + QuickStart.MAX_POOL_SIZE + " (default 20)")
    private Integer poolSize;

    @Override
    public Integer call() throws Exception {
        logFormat.apply();
        ProxyConfig proxyConfig = configuration();
        PgwardenServer server = PgwardenServer.start(proxyConfig, configFile());
        // The handler stays until the JVM ends: a SIGHUP during shutdown finds the reload closed and is only logged.
        ReloadSignal.install(server);
        spec.commandLine().getOut().println("pgwarden listening on " + new HostPort(
                server.address().getAddress().getHostAddress(), server.address().getPort()) + "; Ctrl-C stops it");
        spec.commandLine().getOut().flush();
        UntilSignal.await(server::close, server.stopped());
        return ExitCode.OK;
    }

    /** The configuration the options ask for; usage errors for contradictory options. */
    ProxyConfig configuration() {
        if (config != null && (backend != null || listen != null)) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--config cannot be combined with --backend or --listen");
        }
        boolean poolOption = poolMode != null || poolSize != null;
        if (config != null && poolOption) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--pool-mode and --pool-size cannot be combined with --config; set pool.mode and pool.size in the file");
        }
        if (listen != null && backend == null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--listen needs --backend (or use --config)");
        }
        if (poolOption && backend == null) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    (poolMode != null ? "--pool-mode" : "--pool-size") + " needs --backend (or use --config)");
        }
        if (backend != null) {
            return QuickStart.config(backend, listen == null ? new HostPort("127.0.0.1", 6432) : listen, poolMode,
                    poolSize, QuickStart.home());
        }
        Path file = configFile();
        if (config == null && !Files.isRegularFile(file)) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "give --config FILE or --backend HOST:PORT (no " + file + ")");
        }
        return ConfigLoader.load(file);
    }

    /** The file the configuration is read from (and reloaded from on SIGHUP); null for a quick start. */
    private Path configFile() {
        if (backend != null) {
            return null;
        }
        return config != null ? config : QuickStart.home().resolve("conf").resolve("pgwarden.yaml");
    }
}
