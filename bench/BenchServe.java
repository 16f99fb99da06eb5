import io.pgwarden.core.config.ConfigLoader;
import io.pgwarden.core.server.PgwardenServer;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * Starts pgwarden from a YAML file for bench/relay.sh when the distribution's launcher has no
 * {@code serve} command yet. Run with Java's single-file source launcher against the
 * distribution's jars: {@code java -cp 'lib/*' bench/BenchServe.java pgwarden.yaml}. It stops
 * gracefully on SIGTERM or SIGINT, through a shutdown hook, like the real command would.
 */
public final class BenchServe {

    private BenchServe() {
    }

    /**
     * Loads the configuration, starts the proxy and waits until the JVM is asked to stop.
     *
     * @param args the configuration file
     * @throws Exception when the configuration is invalid or the proxy cannot start
     */
    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            System.err.println("usage: BenchServe CONFIG.yaml");
            System.exit(2);
        }
        PgwardenServer server = PgwardenServer.start(ConfigLoader.load(Path.of(args[0])));
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }, "bench-serve-shutdown"));
        System.err.println("BenchServe: pgwarden listening on " + server.address());
        stopped.await();
    }
}
