package io.pgwarden.core.session;

import io.netty.util.concurrent.ScheduledFuture;
import io.pgwarden.core.config.PoolConfig;
import io.pgwarden.core.config.PoolMode;
import io.pgwarden.core.pool.ClientSettings;
import io.pgwarden.core.pool.PinReason;
import io.pgwarden.core.pool.PooledServer;
import io.pgwarden.core.pool.ServerPool;
import io.pgwarden.core.pool.ServerQuery;
import io.pgwarden.core.pool.SettingsPlan;
import io.pgwarden.core.pool.Waiter;
import io.pgwarden.core.protocol.backend.ErrorResponse;
import io.pgwarden.core.protocol.backend.ReadyForQuery;
import io.pgwarden.spi.BackendLogin;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A session's hold on the pool: it gets a server at login (and keeps it in session mode), attaches
 * one when a transaction-pooled client sends its next message, gives it back at ReadyForQuery
 * {@code I}, and leaves it clean when the client goes. Before a server serves the client, it gets
 * the client's settings and session initialization ({@link SettingsPlan}); that costs a round trip
 * only when the server's state differs. All on the session's event loop.
 */
final class ServerAttachment {

    private static final Logger LOG = LoggerFactory.getLogger(ServerAttachment.class);
    private static final int ATTEMPTS = 3;
    /** The pool's idle watcher, last in every pooled server's pipeline. */
    private static final String IDLE_WATCHER = "pgwarden-idle";

    private final ClientSession session;
    private final ServerPool pool;
    private final BackendLogin login;
    private final boolean transactionMode;
    private final PoolConfig config;
    private final StatementMap statements;
    private ClientSettings settings;
    private PooledServer server;
    private RelayHandler fromClient;
    private RelayHandler fromServer;
    private BackendPolicy backendPolicy;
    private PinReason pinned;
    private boolean releaseDue;
    private boolean acquiring;
    /** Inside {@link #attachForClient()}: a server that arrives now needs no resume of the relay. */
    private boolean attachingNow;
    private ScheduledFuture<?> idleTimer;

    ServerAttachment(ClientSession session, ServerPool pool, BackendLogin login, PoolConfig config) {
        this.session = session;
        this.pool = pool;
        this.login = login;
        this.config = config;
        this.transactionMode = pool.settings().mode() == PoolMode.TRANSACTION;
        this.statements = transactionMode && config.maxPreparedStatements() > 0 ? new StatementMap(config.maxPreparedStatements()) : null;
    }

    /** @return the server attached now, or null */
    PooledServer server() {
        return server;
    }

    /** @return the statement names map in transaction mode, else null */
    StatementMap statements() {
        return statements;
    }

    boolean transactionMode() {
        return transactionMode;
    }

    /** @return whether statements must be scanned for state that pins (transaction mode, not pinned yet) */
    boolean scanning() {
        return transactionMode && pinned == null;
    }

    ClientSettings settings() {
        return settings;
    }

    /**
     * Login: a server (the one that checked the client's password, or one from the pool) gets the
     * client's startup settings; {@code ready} receives the settings to report to the client.
     */
    void login(PooledServer adopted, Consumer<Map<String, String>> ready) {
        login(adopted, ready, ATTEMPTS);
    }

    private void login(PooledServer adopted, Consumer<Map<String, String>> ready, int attempts) {
        Consumer<PooledServer> withServer = candidate -> {
            server = candidate;
            try {
                settings = ClientSettings.fromStartup(login.parameters(), candidate.reported().keySet(), login.sessionInit());
            } catch (IllegalArgumentException e) {
                giveBack(candidate);
                session.fatal("0A000", e.getMessage());
                return;
            }
            prepare(candidate, attempts, () -> {
                settings.seen(candidate.reported());
                ready.accept(candidate.reported());
            }, left -> login(null, ready, left));
        };
        if (adopted != null) {
            withServer.accept(adopted);
            return;
        }
        PooledServer idle = pool.poll(session.loop());
        if (idle != null) {
            withServer.accept(idle);
        } else {
            pool.acquire(new SessionWaiter(withServer));
        }
    }

    /** The relays exist: the client may send. In session mode the login's server stays attached. */
    void started(RelayHandler client, BackendPolicy policy) {
        this.fromClient = client;
        this.backendPolicy = policy;
        if (transactionMode) {
            PooledServer idle = server;
            server = null;
            pool.release(idle);
        } else {
            connect(server);
        }
        idleAfter(ReadyForQuery.IDLE);
    }

    /**
     * A client message arrived with no server attached (transaction mode).
     *
     * @return true when a server is attached now
     */
    boolean attachForClient() {
        clientActive();
        if (acquiring) {
            return false;
        }
        PooledServer idle = pool.poll(session.loop());
        if (idle != null && !SettingsPlan.differs(idle, settings) && !pool.checkDue(idle)) {
            connect(idle);
            return true;
        }
        acquiring = true;
        attachingNow = true;
        try {
            if (idle != null) {
                attachPrepared(idle, ATTEMPTS);
            } else {
                pool.acquire(new SessionWaiter(candidate -> attachPrepared(candidate, ATTEMPTS)));
            }
        } finally {
            attachingNow = false;
        }
        // A server handed over within this call is attached already; the relay goes on by itself.
        return !acquiring;
    }

    private void attachPrepared(PooledServer candidate, int attempts) {
        server = candidate;
        prepare(candidate, attempts, () -> {
            acquiring = false;
            connect(candidate);
            if (!attachingNow) {
                fromClient.resume();
            }
        }, left -> {
            PooledServer idle = pool.poll(session.loop());
            if (idle != null) {
                attachPrepared(idle, left);
            } else {
                pool.acquire(new SessionWaiter(next -> attachPrepared(next, left)));
            }
        });
    }

    /** Runs the settings plan (and the check query when due), then {@code done}; a broken server is replaced. */
    private void prepare(PooledServer candidate, int attempts, Runnable done, Consumer<Integer> retry) {
        String plan = SettingsPlan.differs(candidate, settings) ? SettingsPlan.sql(candidate, settings) : null;
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
                server = null;
                if (error == null && result.error() == null && result.status() == ReadyForQuery.IDLE) {
                    if (planned) {
                        SettingsPlan.applied(candidate, settings);
                    }
                    pool.release(candidate);
                } else {
                    pool.discard(candidate);
                }
                return;
            }
            if (error != null || check && result.error() != null) {
                // A broken server, or one that failed its health check: another one is tried.
                server = null;
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
                server = null;
                pool.discard(candidate);
                ErrorResponse failure = result.error();
                LOG.warn("[{}] applying the session's settings failed: {} {}", session.id(), failure.sqlState(), failure.message());
                session.fatal(failure.sqlState() == null ? "08006" : failure.sqlState(), failure.message());
                return;
            }
            if (planned) {
                SettingsPlan.applied(candidate, settings);
            }
            done.run();
        });
    }

    /** Puts the relay between the client and this server. */
    private void connect(PooledServer attached) {
        server = attached;
        RelayHandler relay = (RelayHandler) attached.relay();
        if (relay == null) {
            relay = new RelayHandler(session.client(), backendPolicy, session.runtime().config().limits().maxMessageSize());
            attached.channel().pipeline().addBefore(IDLE_WATCHER, "relay", relay);
            attached.relay(relay);
        } else {
            relay.lend(session.client(), backendPolicy);
        }
        fromServer = relay;
        RelayHandler.pair(fromClient, fromServer);
        session.relayState().attach(fromClient, fromServer);
        fromClient.target(attached.channel());
        fromServer.updateAutoRead();
        fromClient.updateAutoRead();
    }

    /** Takes the relay off the server; the caller gives the server back or closes it. */
    private PooledServer disconnect() {
        PooledServer attached = server;
        server = null;
        if (attached == null) {
            return null;
        }
        // Reading stays on: from now on bytes pass to the pool's idle watcher.
        if (fromServer != null) {
            fromServer.giveBack();
            fromServer = null;
        }
        if (fromClient != null) {
            fromClient.unpair();
            fromClient.target(null);
        }
        session.relayState().attach(fromClient, null);
        return attached;
    }

    /** A ReadyForQuery passed to the client. */
    void readyForQuery(char status) {
        if (transactionMode && pinned == null && status == ReadyForQuery.IDLE && betweenTransactions()) {
            releaseDue = true;
        }
        idleAfter(status);
    }

    /** The server's read burst was relayed: give the server back if its transaction ended. */
    void serverReadComplete() {
        if (!releaseDue) {
            return;
        }
        releaseDue = false;
        if (server != null && pinned == null && session.relayState().transactionStatus() == ReadyForQuery.IDLE
                && betweenTransactions() && fromServer != null && fromServer.betweenFrames()) {
            pool.release(disconnect());
        }
    }

    private boolean betweenTransactions() {
        RelayState relay = session.relayState();
        return relay.pendingSyncs() == 0 && !relay.extendedOpen() && !relay.expectsSubstitutions();
    }

    /** The session's state can no longer move: it keeps this server until it ends. */
    void pin(PinReason reason) {
        if (pinned != null) {
            return;
        }
        pinned = reason;
        releaseDue = false;
        pool.pinned();
        session.runtime().pools().pinned(reason);
        LOG.info("[{}] pinned to its server connection: {}", session.id(), reason.description());
    }

    /** The server closed under the session. */
    void serverLost() {
        PooledServer lost = disconnect();
        if (lost != null) {
            pool.discard(lost);
        }
    }

    /** The client sent something: it is not idle. */
    void clientActive() {
        if (idleTimer != null) {
            idleTimer.cancel(false);
            idleTimer = null;
        }
    }

    private void idleAfter(char status) {
        if (!betweenTransactions()) {
            return;
        }
        Duration timeout = status == ReadyForQuery.IDLE ? config.clientIdleTimeout() : config.idleTransactionTimeout();
        if (timeout.isZero()) {
            return;
        }
        clientActive();
        idleTimer = session.loop().schedule(() -> {
            idleTimer = null;
            if (status == ReadyForQuery.IDLE) {
                session.fatal("57P05", "terminating connection due to idle-session timeout");
            } else {
                session.fatal("25P03", "terminating connection due to idle-in-transaction timeout");
            }
        }, Math.min(timeout.toMillis(), Long.MAX_VALUE / 2), TimeUnit.MILLISECONDS);
    }

    /**
     * The client is gone. An idle server goes back as it is (transaction mode) or after the reset
     * query (session mode, or a pinned session); an open transaction is rolled back first; a server
     * still busy with a statement is closed.
     */
    void end() {
        clientActive();
        RelayState relay = session.relayState();
        boolean busy = relay.pendingSyncs() > 0 || relay.extendedOpen() || fromServer != null && !fromServer.betweenFrames();
        PooledServer attached = disconnect();
        if (attached == null) {
            return;
        }
        if (busy || !attached.channel().isActive() || backendPolicy == null || pinned == PinReason.LOAD) {
            // A loaded library cannot be unloaded: that server process is never lent again.
            pool.discard(attached);
            return;
        }
        StringBuilder sql = new StringBuilder();
        if (relay.transactionStatus() != ReadyForQuery.IDLE) {
            sql.append("ROLLBACK");
        }
        boolean reset = !transactionMode && !config.serverResetQuery().isBlank() || pinned != null;
        if (reset) {
            sql.append(sql.length() == 0 ? "" : ";").append(transactionMode ? "DISCARD ALL" : config.serverResetQuery());
        }
        if (sql.length() == 0) {
            pool.release(attached);
            return;
        }
        ServerQuery.run(attached, sql.toString(), session.runtime().config().limits().maxMessageSize()).whenComplete((result, error) -> {
            if (error == null && result.error() == null && result.status() == ReadyForQuery.IDLE) {
                if (reset) {
                    attached.sessionReset();
                    attached.statementsDeallocated();
                }
                pool.release(attached);
            } else {
                LOG.info("[{}] resetting the server connection failed ({}); closing it", session.id(),
                        error != null ? error.getMessage() : result.error() != null ? result.error().message() : "status " + result.status());
                pool.discard(attached);
            }
        });
    }

    /** Gives back a server the session got but will not use. */
    private void giveBack(PooledServer candidate) {
        if (server == candidate) {
            server = null;
        }
        pool.release(candidate);
    }

    /** The session waiting for a server. */
    private final class SessionWaiter extends Waiter {
        private final Consumer<PooledServer> then;

        SessionWaiter(Consumer<PooledServer> then) {
            super(session.loop());
            this.then = then;
        }

        @Override
        protected void deliver(PooledServer delivered) {
            if (session.closed()) {
                pool.release(delivered);
            } else {
                then.accept(delivered);
            }
        }

        @Override
        protected void fail(String sqlState, String message) {
            acquiring = false;
            session.fatal(sqlState, message);
        }

        @Override
        protected boolean cancelled() {
            return session.closed();
        }
    }
}
