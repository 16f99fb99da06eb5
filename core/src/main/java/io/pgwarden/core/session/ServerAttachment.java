package io.pgwarden.core.session;

import io.netty.util.concurrent.ScheduledFuture;
import io.pgwarden.core.config.PoolConfig;
import io.pgwarden.core.config.PoolMode;
import io.pgwarden.core.pool.ClientSettings;
import io.pgwarden.core.pool.PinReason;
import io.pgwarden.core.pool.PooledServer;
import io.pgwarden.core.pool.ServerPool;
import io.pgwarden.core.pool.SettingsPlan;
import io.pgwarden.core.pool.Waiter;
import io.pgwarden.core.protocol.backend.ErrorResponse;
import io.pgwarden.core.protocol.backend.ReadyForQuery;
import io.pgwarden.spi.BackendLogin;
import io.pgwarden.spi.RefusalContext;
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
 * the client's settings and session initialization ({@link SettingsPlan}, run by
 * {@link ServerPreparation}); that costs a round trip only when the server's state differs. When the
 * client goes, {@link ServerReset} leaves the server clean. All on the session's event loop.
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
    private final ServerPreparation preparation;
    private final ServerReset reset;
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
    /** When the running query's first message came ({@link System#nanoTime()}), 0 between queries. */
    private long queryStart;
    /** When the running transaction's first message came, 0 between transactions. */
    private long transactionStart;
    /** The session's place in its pool's queue while it waits for a server, else null. */
    private SessionWaiter queued;
    /** The login tried to do without a server once (it does not try again after a retry). */
    private boolean attempted;

    ServerAttachment(ClientSession session, ServerPool pool, BackendLogin login, PoolConfig config) {
        this.session = session;
        this.pool = pool;
        this.login = login;
        this.config = config;
        this.transactionMode = pool.settings().mode() == PoolMode.TRANSACTION;
        this.statements = transactionMode && config.maxPreparedStatements() > 0 ? new StatementMap(config.maxPreparedStatements()) : null;
        this.preparation = new ServerPreparation(session, pool, config, () -> settings, () -> server = null);
        this.reset = new ServerReset(session, pool, config, transactionMode);
    }

    /** @return the key of the session's pool */
    io.pgwarden.core.pool.PoolKey poolKey() {
        return pool.key();
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
            preparation.prepare(candidate, attempts, () -> {
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
            return;
        }
        if (!loginWithoutServer(ready)) {
            pool.acquire(queue(new SessionWaiter(withServer)));
        }
    }

    /**
     * No idle server: when the pool knows what a server would report for this client's settings, the
     * client is let in without one (its first message attaches a server, in either mode), so logins
     * never wait for a busy pool, as with PgBouncer.
     *
     * @return true when the client was let in
     */
    private boolean loginWithoutServer(Consumer<Map<String, String>> ready) {
        if (attempted) {
            return false;
        }
        attempted = true;
        Map<String, String> startupReported = new java.util.HashMap<>();
        java.util.Set<String> known = pool.loginParameterNames();
        if (known == null) {
            return false;
        }
        try {
            settings = ClientSettings.fromStartup(login.parameters(), known, login.sessionInit());
        } catch (IllegalArgumentException e) {
            session.fatal("0A000", e.getMessage());
            return true;
        }
        startupReported.putAll(settings.reported());
        Map<String, String> parameters = pool.loginParameters(startupReported);
        if (parameters == null || !login.sessionInit().isEmpty()) {
            settings = null;
            return false;
        }
        settings.seen(parameters);
        ready.accept(parameters);
        return true;
    }

    /** The relays exist: the client may send. In session mode the login's server stays attached. */
    void started(RelayHandler client, BackendPolicy policy) {
        this.fromClient = client;
        this.backendPolicy = policy;
        if (server == null) {
            // Logged in without a server: the first message attaches one.
        } else if (transactionMode) {
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
                pool.acquire(queue(new SessionWaiter(candidate -> attachPrepared(candidate, ATTEMPTS))));
            }
        } finally {
            attachingNow = false;
        }
        // A server handed over within this call is attached already; the relay goes on by itself.
        return !acquiring;
    }

    private void attachPrepared(PooledServer candidate, int attempts) {
        server = candidate;
        preparation.prepare(candidate, attempts, () -> {
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
                pool.acquire(queue(new SessionWaiter(next -> attachPrepared(next, left))));
            }
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
        count(status);
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

    /** Counts the query, and the transaction when it ended, in the pool's traffic ({@code SHOW STATS}). */
    private void count(char status) {
        long now = System.nanoTime();
        if (queryStart != 0) {
            pool.traffic().query(now - queryStart);
            queryStart = 0;
        }
        if (status == ReadyForQuery.IDLE && transactionStart != 0) {
            pool.traffic().transaction(now - transactionStart);
            transactionStart = 0;
        }
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

    /** The client sent something: it is not idle, and a query (and a transaction) runs from now on. */
    void clientActive() {
        if (queryStart == 0) {
            queryStart = System.nanoTime();
            if (transactionStart == 0) {
                transactionStart = queryStart;
            }
        }
        stopIdleTimer();
    }

    private void stopIdleTimer() {
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
        stopIdleTimer();
        idleTimer = session.loop().schedule(() -> {
            idleTimer = null;
            if (status == ReadyForQuery.IDLE) {
                session.fatal("57P05", "terminating connection due to idle-session timeout");
            } else {
                session.fatal("25P03", "terminating connection due to idle-in-transaction timeout");
            }
        }, timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * The client is gone. An idle server goes back as it is (transaction mode) or after the reset
     * query (session mode, or a pinned session); an open transaction is rolled back first; a server
     * still busy with a statement is closed ({@link ServerReset}).
     */
    void end() {
        stopIdleTimer();
        if (queued != null) {
            pool.cancel(queued);
            queued = null;
        }
        RelayState relay = session.relayState();
        boolean busy = relay.pendingSyncs() > 0 || relay.extendedOpen() || fromServer != null && !fromServer.betweenFrames();
        PooledServer attached = disconnect();
        if (attached == null) {
            return;
        }
        reset.clientLeft(attached, busy, backendPolicy != null, relay.transactionStatus(), pinned);
    }

    private SessionWaiter queue(SessionWaiter waiter) {
        queued = waiter;
        return waiter;
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
            if (queued == this) {
                queued = null;
            }
            if (session.closed()) {
                pool.release(delivered);
            } else {
                then.accept(delivered);
            }
        }

        @Override
        protected void fail(ErrorResponse error) {
            if (queued == this) {
                queued = null;
            }
            acquiring = false;
            if ("53300".equals(error.sqlState())) {
                session.refuse(session.ready() ? RefusalContext.Stage.QUERY : RefusalContext.Stage.AUTH, error);
            } else {
                session.fatal(error);
            }
        }

        @Override
        protected boolean cancelled() {
            return session.closed();
        }
    }
}
