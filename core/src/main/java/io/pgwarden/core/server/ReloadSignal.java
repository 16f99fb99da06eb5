package io.pgwarden.core.server;

import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * SIGHUP reloads the configuration, as it does for PostgreSQL and PgBouncer. The handler only starts
 * the reload (which runs on its own thread and logs its outcome); closing puts the previous handler back.
 */
public final class ReloadSignal implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ReloadSignal.class);
    private static final String NAME = "HUP";

    private final Signal signal;
    private final SignalHandler previous;

    private ReloadSignal(Signal signal, SignalHandler previous) {
        this.signal = signal;
        this.previous = previous;
    }

    /**
     * Makes SIGHUP reload the server's configuration.
     *
     * @param server the running server
     * @return the installed handler; empty on platforms without SIGHUP, or when the JVM keeps it to itself
     *         ({@code -Xrs}), which is logged
     */
    public static Optional<ReloadSignal> install(PgwardenServer server) {
        Objects.requireNonNull(server, "server");
        try {
            Signal hangUp = new Signal(NAME);
            SignalHandler previous = Signal.handle(hangUp, signal -> server.reload("SIGHUP"));
            return Optional.of(new ReloadSignal(hangUp, previous));
        } catch (IllegalArgumentException | UnsupportedOperationException e) {
            LOG.info("SIGHUP cannot be used here ({}); reload with the admin console's RELOAD", e.getMessage());
            return Optional.empty();
        }
    }

    /** Puts the handler back that SIGHUP had before. */
    @Override
    public void close() {
        Signal.handle(signal, previous);
    }
}
