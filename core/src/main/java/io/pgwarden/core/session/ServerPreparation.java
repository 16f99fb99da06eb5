package io.pgwarden.core.session;

import io.pgwarden.core.config.PoolConfig;
import io.pgwarden.core.pool.ClientSettings;
import io.pgwarden.core.pool.PooledServer;
import io.pgwarden.core.pool.ServerPool;
import io.pgwarden.core.pool.ServerQuery;
import io.pgwarden.core.pool.SettingsPlan;
import io.pgwarden.core.protocol.backend.ErrorResponse;
import io.pgwarden.core.protocol.backend.ReadyForQuery;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Readies a server for a session before it serves the client: the client's settings and session
 * initialization ({@link SettingsPlan}), and the pool's check query when the server sat idle long
 * enough. It costs a round trip only when the server's state differs or the check is due; a server
 * that breaks on the way is closed and another one is tried. On the session's event loop.
 */
final class ServerPreparation {

    private static final Logger LOG = LoggerFactory.getLogger(ServerPreparation.class);

    private final ClientSession session;
    private final ServerPool pool;
    private final PoolConfig config;
    /** The session's settings as they are when a step runs (login replaces them). */
    private final Supplier<ClientSettings> settings;
    /** Forgets the session's hold on the candidate, which is given back or closed. */
    private final Runnable dropServer;

    ServerPreparation(ClientSession session, ServerPool pool, PoolConfig config, Supplier<ClientSettings> settings,
                      Runnable dropServer) {
        this.session = session;
        this.pool = pool;
        this.config = config;
        this.settings = settings;
        this.dropServer = dropServer;
    }

    /** Runs the settings plan (and the check query when due), then {@code done}; a broken server is replaced. */
    void prepare(PooledServer candidate, int attempts, Runnable done, Consumer<Integer> retry) {
        String plan = SettingsPlan.differs(candidate, settings.get()) ? SettingsPlan.sql(candidate, settings.get()) : null;
        boolean check = pool.checkDue(candidate);
        if (plan == null && !check) {
            done.run();
            return;
        }
        if (plan != null && !plan.chars().allMatch(c -> c < 0x80) && !"UTF8".equalsIgnoreCase(candidate.reported().get("client_encoding"))) {
            // The plan is sent as UTF-8 and the server reads a Query in its current client_encoding:
            // switch first, then plan again (the client's own encoding is set back by the plan).
            Runnable planAgain = () -> prepare(candidate, attempts, done, retry);
            run(candidate, "SET client_encoding TO 'UTF8'", false, check, attempts, planAgain, retry);
            return;
        }
        run(candidate, plan, plan != null, check, attempts, done, retry);
    }

    /** Runs the proxy's statements on a server being lent, with the check query first when it is due. */
    private void run(PooledServer candidate, String plan, boolean planned, boolean check, int attempts, Runnable done,
                     Consumer<Integer> retry) {
        String sql = check ? config.serverCheckQuery() + (plan == null ? "" : ";" + plan) : plan;
        ServerQuery.run(candidate, sql, session.runtime().config().limits().maxMessageSize()).whenComplete((result, error) -> {
            if (session.closed()) {
                dropServer.run();
                if (error == null && result.error() == null && result.status() == ReadyForQuery.IDLE) {
                    if (planned) {
                        SettingsPlan.applied(candidate, settings.get());
                    }
                    pool.release(candidate);
                } else {
                    pool.discard(candidate);
                }
                return;
            }
            if (error != null || check && result.error() != null) {
                // A broken server, or one that failed its health check: another one is tried.
                dropServer.run();
                pool.discard(candidate);
                if (attempts > 1) {
                    LOG.info("[{}] server connection failed while being prepared ({}); trying another", session.id(),
                            error != null ? error.getMessage() : result.error().message());
                    retry.accept(attempts - 1);
                } else if (error == null) {
                    session.fatal(result.error().sqlState() == null ? "08006" : result.error().sqlState(), result.error().message());
                } else {
                    session.fatal("08006", "server closed the connection unexpectedly");
                }
                return;
            }
            if (result.error() != null) {
                dropServer.run();
                pool.discard(candidate);
                ErrorResponse failure = result.error();
                LOG.warn("[{}] applying the session's settings failed: {} {}", session.id(), failure.sqlState(), failure.message());
                session.fatal(failure.sqlState() == null ? "08006" : failure.sqlState(), failure.message());
                return;
            }
            if (planned) {
                SettingsPlan.applied(candidate, settings.get());
            }
            done.run();
        });
    }
}
