package io.pgwarden.core.cli;

import io.pgwarden.core.demo.PgwardenDemo;
import io.pgwarden.core.logging.ProxyLogging;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code pgwarden demo}: an embedded PostgreSQL with sample data behind pgwarden, until Ctrl-C. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Start an embedded PostgreSQL with a sample database 'demo' and pgwarden in front of it.",
            "Ctrl-C stops both and deletes every file they made."})
final class DemoCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Mixin
    private LogFormatOption logFormat;

    @Option(names = "--port", paramLabel = "N", defaultValue = "6432",
            description = "the port pgwarden listens on, on 127.0.0.1 (default ${DEFAULT-VALUE}; 0 picks a free one)")
    private int port;

    @Override
    public Integer call() throws Exception {
        logFormat.apply();
        if (port < 0 || port > 65535) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--port must be 0-65535, found " + port);
        }
        PrintWriter out = spec.commandLine().getOut();
        out.println("Starting PostgreSQL and loading the sample database (the first run unpacks the binaries)...");
        out.flush();
        PgwardenDemo demo = new PgwardenDemo();
        // registered before anything starts, so that Ctrl-C during start-up also cleans up
        Thread hook = new Thread(() -> {
            demo.close();
            out.println("Stopped pgwarden and PostgreSQL; their files are deleted.");
            out.flush();
            ProxyLogging.stop();
        }, "pgwarden-demo-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            demo.start(port, QuickStart.home());
        } catch (Exception | Error e) {
            demo.close();
            Runtime.getRuntime().removeShutdownHook(hook);
            throw e;
        }
        out.println();
        out.println("pgwarden is running on " + new HostPort(demo.proxyAddress().getAddress().getHostAddress(),
                demo.proxyAddress().getPort()) + " in front of PostgreSQL "
                + demo.postgresVersion() + " on port " + demo.postgresPort() + ".");
        out.println("Data folder: " + demo.dataFolder() + " (deleted on exit)");
        out.println();
        out.println("Connect with:");
        out.println("  " + demo.psqlCommand());
        out.println("or JDBC: " + demo.jdbcUrl());
        out.println();
        out.println("Try: select name, email, card_number from people order by id limit 5;");
        out.println("Press Ctrl-C to stop.");
        out.flush();
        new java.util.concurrent.CountDownLatch(1).await();
        return ExitCode.OK;
    }
}
