package io.pgwarden.core.session;

import io.pgwarden.core.config.PoolConfig;
import io.pgwarden.core.pool.PinReason;
import io.pgwarden.core.pool.PooledServer;
import io.pgwarden.core.pool.ServerPool;
import io.pgwarden.core.pool.ServerQuery;
import io.pgwarden.core.protocol.backend.ReadyForQuery;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What happens to a session's server when its client leaves: an idle server goes back to the pool as
 * it is (transaction mode) or after the reset query (session mode, or a pinned session); an open
 * transaction is rolled back first; a server still busy with a statement, or one that fails the
 * clean-up, is closed. On the session's event loop.
 */
final class ServerReset {

    private static final Logger LOG = LoggerFactory.getLogger(ServerReset.class);

    private final ClientSession session;
    private final ServerPool pool;
    private final PoolConfig config;
    private final boolean transactionMode;

    ServerReset(ClientSession session, ServerPool pool, PoolConfig config, boolean transactionMode) {
        this.session = session;
        this.pool = pool;
        this.config = config;
        this.transactionMode = transactionMode;
    }

    /**
     * Gives back or closes the server the client left, already taken off the relay.
     *
     * @param attached the server
     * @param busy whether it is still busy with a statement
     * @param started whether the session's relays were started
     * @param transactionStatus the last transaction status the server reported
     * @param pinned why the session was pinned, or null
     */
    void clientLeft(PooledServer attached, boolean busy, boolean started, char transactionStatus, PinReason pinned) {
        if (busy || !attached.channel().isActive() || !started || pinned == PinReason.LOAD) {
            // A loaded library cannot be unloaded: that server process is never lent again.
            pool.discard(attached);
            return;
        }
        boolean rollback = transactionStatus != ReadyForQuery.IDLE;
        boolean reset = !transactionMode && !config.serverResetQuery().isBlank() || pinned != null;
        String resetQuery = transactionMode ? "DISCARD ALL" : config.serverResetQuery();
        if (!rollback && !reset) {
            pool.release(attached);
            return;
        }
        // Two Query messages: in one, DISCARD ALL would run inside ROLLBACK's implicit transaction block.
        Runnable resetThenRelease = () -> {
            if (!reset) {
                pool.release(attached);
                return;
            }
            cleanUp(attached, resetQuery, () -> {
                attached.sessionReset();
                attached.statementsDeallocated();
                pool.release(attached);
            });
        };
        if (rollback) {
            cleanUp(attached, "ROLLBACK", resetThenRelease);
        } else {
            resetThenRelease.run();
        }
    }

    /** Runs a statement on a server the client left; the server is closed when it fails. */
    private void cleanUp(PooledServer attached, String sql, Runnable then) {
        ServerQuery.run(attached, sql, session.runtime().config().limits().maxMessageSize()).whenComplete((result, error) -> {
            if (error == null && result.error() == null && result.status() == ReadyForQuery.IDLE) {
                then.run();
            } else {
                LOG.info("[{}] resetting the server connection failed ({}); closing it", session.id(),
                        error != null ? error.getMessage() : result.error() != null ? result.error().message() : "status " + result.status());
                pool.discard(attached);
            }
        });
    }
}
