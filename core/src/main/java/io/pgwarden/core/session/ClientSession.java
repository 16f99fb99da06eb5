package io.pgwarden.core.session;

import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import io.pgwarden.core.backend.BackendException;
import io.pgwarden.core.backend.ServerConnection;
import io.pgwarden.core.config.AdminConsoleConfig;
import io.pgwarden.core.frontend.FatalReply;
import io.pgwarden.core.pool.PoolKey;
import io.pgwarden.core.pool.PooledServer;
import io.pgwarden.core.pool.ServerPool;
import io.pgwarden.core.protocol.Frame;
import io.pgwarden.core.protocol.MessageType;
import io.pgwarden.core.protocol.PgFrameDecoder;
import io.pgwarden.core.protocol.backend.ErrorResponse;
import io.pgwarden.core.protocol.backend.ReadyForQuery;
import io.pgwarden.core.protocol.frontend.StartupMessage;
import io.pgwarden.spi.AuthExchange;
import io.pgwarden.spi.AuthProtocolException;
import io.pgwarden.spi.BackendLogin;
import io.pgwarden.spi.ClientInfo;
import io.pgwarden.spi.Decision;
import io.pgwarden.spi.Interceptor;
import io.pgwarden.spi.Note;
import io.pgwarden.spi.RefusalContext;
import io.pgwarden.spi.TlsInfo;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection from its StartupMessage to its end: onStartup, the auth rule and its
 * authenticator, onAuth, the server connection, the relay, and the cleanup. Everything runs on
 * the client channel's event loop; the server channel uses the same loop.
 */
public final class ClientSession {

    private static final Logger LOG = LoggerFactory.getLogger(ClientSession.class);
    private static final SecureRandom IDS = new SecureRandom();
    private static final long DRAIN_GRACE_MILLIS = 100;
    private static final Map<String, String> CONSOLE_PARAMETERS = Map.of("server_version", "16.0 (pgwarden admin console)",
            "server_encoding", "UTF8", "client_encoding", "UTF8", "DateStyle", "ISO, MDY", "integer_datetimes", "on",
            "standard_conforming_strings", "on");
    private static final ErrorResponse SHUTDOWN = ErrorResponse.fatal("57P01", "terminating connection due to administrator command");

    private enum Phase { STARTUP, AUTHENTICATING, CONNECTING, READY, CLOSED }

    private final ProxyRuntime runtime;
    private final Channel client;
    private final SessionState state;
    private final StartupMessage startup;
    private final byte[] channelBinding;
    private final ClientAuthExchange.PasswordCache passwords = new ClientAuthExchange.PasswordCache();
    private final AuthPhaseInbound authPhase = new AuthPhaseInbound(this);
    private final RelayState relayState = new RelayState();
    private final SessionExpiry expiry = new SessionExpiry();

    private Phase phase = Phase.STARTUP;
    private AuthenticationFlow authentication;
    private ScheduledFuture<?> authTimer;
    private CancelKey key;
    /**
     * Set once, at attach, on the session's loop; volatile because the admin console of another session reads it from
     * that session's loop (SHOW POOLS, SHOW CLIENTS). ServerAttachment's pool and key are final, so the console sees
     * them whole.
     */
    private volatile ServerAttachment attachment;
    /**
     * Shutdown, or the deadline of {@link #expiry}, came while the session was busy: it ends with this
     * error at its next idle ReadyForQuery. The first reason stays.
     */
    private ErrorResponse endWhenIdle;
    /** The proxy's note on every statement of a session an onStartup interceptor routed; else null. */
    private Note routeNote;
    /** The method of the auth rule being tried or that applied; null before one is chosen. */
    private String authMethod;

    private ClientSession(ProxyRuntime runtime, Channel client, StartupMessage startup, TlsInfo tls, byte[] channelBinding) {
        this.runtime = runtime;
        this.client = client;
        this.startup = startup;
        this.channelBinding = channelBinding;
        String id = newId();
        this.state = new SessionState(id, new ClientInfo((InetSocketAddress) client.remoteAddress(), tls), startup.parameters());
    }

    private static String newId() {
        return String.format("%08x", IDS.nextInt());
    }

    /**
     * Tells onRefused interceptors about a connection refused before its startup message was read
     * (connection limit, shutdown): a session context with a fresh id, the client's address and no
     * startup parameters.
     *
     * @param runtime the shared runtime
     * @param client the refused connection, whose refusal was sent
     * @param sqlState the SQLSTATE sent
     * @param message the message sent
     */
    public static void refusedAtAdmission(ProxyRuntime runtime, Channel client, String sqlState, String message) {
        Interceptor[] hooks = runtime.chain().refusedHooks();
        if (hooks.length == 0 || !(client.remoteAddress() instanceof InetSocketAddress address)) {
            return;
        }
        SessionState state = new SessionState(newId(), new ClientInfo(address, null), Map.of());
        RefusalNotifier.notify(hooks, new RefusalView(state, RefusalContext.Stage.STARTUP, RefusalView.PROXY, null, sqlState,
                message, null));
    }

    /**
     * Starts a session on a channel whose handshake is done.
     *
     * @param runtime the shared runtime
     * @param client the client channel
     * @param startup the client's StartupMessage
     * @param tls the TLS facts or null
     * @param channelBinding the proxy certificate's tls-server-end-point data, or null
     */
    public static void start(ProxyRuntime runtime, Channel client, StartupMessage startup, TlsInfo tls, byte[] channelBinding) {
        new ClientSession(runtime, client, startup, tls, channelBinding).begin();
    }

    String id() {
        return state.sessionId();
    }

    SessionState state() {
        return state;
    }

    ProxyRuntime runtime() {
        return runtime;
    }

    RelayState relayState() {
        return relayState;
    }

    /** @return the session's hold on its pool; null before authentication is done */
    ServerAttachment attachment() {
        return attachment;
    }

    EventLoop loop() {
        return client.eventLoop();
    }

    Channel client() {
        return client;
    }

    byte[] channelBinding() {
        return channelBinding;
    }

    ClientAuthExchange.PasswordCache passwords() {
        return passwords;
    }

    boolean closed() {
        return phase == Phase.CLOSED;
    }

    /** @return true once the client is relaying statements */
    boolean ready() {
        return phase == Phase.READY;
    }

    /** @return where onAuth interceptors set the session's deadline */
    SessionExpiry expiry() {
        return expiry;
    }

    /**
     * onAuth is over: the deadline an interceptor set starts counting on the event loop.
     *
     * @return false when it has passed already, and the session was ended
     */
    boolean startExpiry() {
        if (expiry.start(Clock.systemUTC(), loop(), this::deadlineReached)) {
            return true;
        }
        LOG.info("[{}] the session's deadline {} has passed already", id(), expiry.deadline());
        fatal("28000", expiry.message());
        return false;
    }

    /**
     * The deadline of {@link #expiry}: an idle session ends now (so does one still waiting for its
     * first server), a busy one at its next idle ReadyForQuery, as a draining one does.
     */
    private void deadlineReached() {
        if (phase == Phase.CLOSED) {
            return;
        }
        // A message the relay holds (waiting for a server or an interceptor's decision) is a query in flight.
        if (phase != Phase.READY || idle() && relayState.clientQuiet()) {
            LOG.info("[{}] the session's deadline {} passed", id(), expiry.deadline());
            fatal("28000", expiry.message());
        } else {
            LOG.info("[{}] the session's deadline {} passed; it ends at its next idle ReadyForQuery", id(), expiry.deadline());
            endWhenIdle(ErrorResponse.fatal("28000", expiry.message()));
        }
    }

    /** Hands a client message to the pending authentication request; false when none is pending. */
    boolean deliverAuthAnswer(Frame frame) {
        return authentication != null && authentication.deliver(frame);
    }

    /**
     * Fails the pending authentication request with {@code error} instead of ending the session
     * here, so that the authenticator answers as its mechanism prescribes.
     *
     * @return false when no request is pending
     */
    boolean failAuthAnswer(AuthProtocolException error) {
        return authentication != null && authentication.fail(error);
    }

    /** The client is authenticated: its messages may be as long as {@code limits.max_message_size} again. */
    void authenticated() {
        if (client.pipeline().get(AuthPhaseInbound.DECODER) instanceof PgFrameDecoder decoder) {
            decoder.maxMessageSize(runtime.config().limits().maxMessageSize());
        }
    }

    /** @return the note that goes with every statement of a session a plugin routed, or null */
    Note routeNote() {
        return routeNote;
    }

    /** @return the method of the auth rule that applies, or null before one was chosen */
    String authMethod() {
        return authMethod;
    }

    /** An auth rule was chosen: refusals from here on name its method. */
    void authMethod(String method) {
        this.authMethod = method;
    }

    /** The authentication flow started asking the client. */
    void authenticating() {
        phase = Phase.AUTHENTICATING;
    }

    private void begin() {
        // Until the client is authenticated it gets PostgreSQL's limit for authentication messages: a stranger cannot make the
        // proxy buffer max_message_size bytes.
        client.pipeline().addLast(AuthPhaseInbound.DECODER, new PgFrameDecoder(Math.min(runtime.config().limits().maxMessageSize(),
                AuthExchange.MAX_AUTH_MESSAGE_LENGTH)));
        client.pipeline().addLast(AuthPhaseInbound.NAME, authPhase);
        client.closeFuture().addListener(future -> cleanup());
        authTimer = loop().schedule(() -> {
            if (phase != Phase.READY && phase != Phase.CLOSED) {
                if (authentication != null) {
                    authentication.timedOut();
                }
                fatal("08006", "canceling authentication due to timeout");
            }
        }, runtime.config().limits().authTimeout().toMillis(), TimeUnit.MILLISECONDS);

        String user = state.user();
        if (user == null || user.isEmpty()) {
            refuse(RefusalContext.Stage.STARTUP, ErrorResponse.fatal("28000", "no PostgreSQL user name specified in startup packet"));
            return;
        }
        if (StartupReplies.replicationRequested(state.startupParameters())) {
            refuse(RefusalContext.Stage.STARTUP, ErrorResponse.fatal("0A000", "replication connections are not supported by pgwarden"));
            return;
        }
        StartupReplies.negotiateProtocolVersion(startup, state, client);
        LOG.info("[{}] connection from {} user={} database={}{}", id(), state.client().address(), user, state.database(),
                state.client().tls() == null ? "" : " tls=" + state.client().tls().protocol());
        StartupView view = new StartupView(state);
        HookRunner.run(runtime.chain().startupHooks(), hook -> hook.onStartup(view), decision -> false, loop(), this::afterStartupHooks);
    }

    private void afterStartupHooks(Decision decision, String by) {
        if (phase == Phase.CLOSED) {
            return;
        }
        if (decision instanceof Decision.Route route) {
            if (!runtime.config().backends().containsKey(route.backend())) {
                LOG.error("[{}] interceptor {} routed the session to unknown backend '{}'", id(), by, route.backend());
                refuse(RefusalContext.Stage.STARTUP, by, unknownBackend(route.backend()));
                return;
            }
            routeNote = new Note(by, "route", route.backend());
            authentication = new AuthenticationFlow(this, route.backend());
            authentication.start();
        } else if (decision instanceof Decision.Proceed) {
            authentication = new AuthenticationFlow(this, null);
            authentication.start();
        } else {
            refuse("onStartup", decision, by, RefusalContext.Stage.STARTUP);
        }
    }

    /** Authentication and onAuth are done: get a server of this login's pool. */
    void attach(BackendLogin login, ClientAuthExchange exchange) {
        phase = Phase.CONNECTING;
        ServerConnection authenticated = exchange.takeAuthenticatedServer();
        AdminConsoleConfig console = runtime.config().adminConsole();
        if (AdminConsole.isConsoleDatabase(console, state.database())) {
            closeQuietly(authenticated);
            if (!console.admits(login.user())) {
                LOG.info("[{}] user {} is not an admin console user", id(), login.user());
                refuse(RefusalContext.Stage.AUTH, ErrorResponse.fatal("28000", "user \"" + login.user()
                        + "\" may not use the pgwarden admin console"));
                return;
            }
            openConsole();
            return;
        }
        if (!runtime.config().backends().containsKey(login.backend())) {
            closeQuietly(authenticated);
            LOG.error("[{}] the backend login names unknown backend '{}'", id(), login.backend());
            refuse(RefusalContext.Stage.AUTH, unknownBackend(login.backend()));
            return;
        }
        ServerPool pool = runtime.pools().pool(login, authenticated != null);
        attachment = new ServerAttachment(this, pool, login, runtime.config().pool());
        PooledServer adopted = null;
        if (authenticated != null) {
            adopted = pool.adopt(authenticated);
            if (adopted == null) {
                LOG.debug("[{}] pool {} is full; closing the connection that checked the password", id(), pool.key());
                authenticated.close();
            }
        }
        attachment.login(adopted, this::ready);
    }

    /** Tells an admin it is in the console; no server connection is opened. */
    private void openConsole() {
        key = runtime.sessions().register(this);
        Map<String, String> parameters = new LinkedHashMap<>(CONSOLE_PARAMETERS);
        // PostgreSQL reports application_name back at login; clients such as psql read it.
        parameters.put("application_name", state.startupParameters().getOrDefault("application_name", ""));
        StartupReplies.welcome(client, parameters, key);
        int maxMessageSize = runtime.config().limits().maxMessageSize();
        client.pipeline().addAfter(AuthPhaseInbound.NAME, AdminConsole.NAME, new AdminConsole(this));
        client.pipeline().addAfter(AuthPhaseInbound.NAME, "admin-console-decoder", new PgFrameDecoder(maxMessageSize));
        authTimer.cancel(false);
        phase = Phase.READY;
        LOG.info("[{}] ready: admin console", id());
        client.flush();
        authPhase.handOver();
    }

    /**
     * This session as a row of the admin console's {@code SHOW CLIENTS}; called on any thread.
     *
     * @return the row
     */
    ConsoleTable.Client asConsoleClient() {
        InetSocketAddress address = state.client().address();
        InetSocketAddress local = (InetSocketAddress) client.localAddress();
        ServerAttachment current = attachment;
        TlsInfo tls = state.client().tls();
        return new ConsoleTable.Client(state.user(), state.database(), address.getAddress().getHostAddress(), address.getPort(),
                local == null ? null : local.getAddress().getHostAddress(), local == null ? 0 : local.getPort(),
                tls == null ? "" : tls.protocol(), state.startupParameters().get("application_name"),
                current == null ? AdminConsoleConfig.DATABASE : current.poolKey().backend());
    }

    /** Tells the client it is in, and starts relaying. */
    private void ready(Map<String, String> parameters) {
        if (phase == Phase.CLOSED) {
            return;
        }
        key = runtime.sessions().register(this);
        StartupReplies.welcome(client, parameters, key);

        int maxMessageSize = runtime.config().limits().maxMessageSize();
        if (runtime.chain().rowHooks().length > 0) {
            relayState.trackExtendedQueries();
        }
        boolean completions = runtime.chain().completeHooks().length > 0;
        relayState.followStatements(runtime.meters(), runtime.chain().executeHooks().length > 0 || completions, completions);
        RelayHandler fromClient = new RelayHandler(null, new FrontendPolicy(this), maxMessageSize);
        BackendPolicy backendPolicy = new BackendPolicy(this);
        client.pipeline().addAfter(AuthPhaseInbound.NAME, "relay", fromClient);
        authPhase.handOver();
        authTimer.cancel(false);
        phase = Phase.READY;
        PoolKey pool = attachment.poolKey();
        LOG.info("[{}] ready: backend {} as user {}{} database {} ({} pool{})", id(), pool.backend(), pool.user(),
                pool.role() == null ? "" : " role " + pool.role(), pool.database(), attachment.transactionMode() ? "transaction" : "session",
                attachment.server() == null ? ", no server yet" : "");
        attachment.started(fromClient, backendPolicy);
        client.flush();
        fromClient.updateAutoRead();
    }

    /** Called by the backend relay at each ReadyForQuery. */
    void readyForQuery(char status) {
        attachment.readyForQuery(status);
        ErrorResponse end = endWhenIdle;
        if (end != null && idle()) {
            // The ReadyForQuery is still in the relay's run: end the session after this read is flushed.
            loop().execute(() -> {
                if (phase == Phase.READY) {
                    fatal(end);
                }
            });
        }
    }

    /** The client sent Terminate: end the session without forwarding it (the server gets its own). */
    void terminate() {
        LOG.info("[{}] client terminated the session", id());
        client.close();
    }

    /** The client broke the protocol after startup. */
    void clientViolation(String message) {
        LOG.warn("[{}] protocol violation by the client: {}", id(), message);
        fatal("08P01", message);
    }

    /** The server broke the protocol. */
    void serverViolation(String message) {
        LOG.error("[{}] protocol violation by the server: {}", id(), message);
        fatal("08006", "the server sent an invalid message");
    }

    /**
     * Forwards a cancel from another connection when its secret matches; called on any thread.
     *
     * @param secret the secret from the CancelRequest
     */
    public void cancel(byte[] secret) {
        CancelKey current = key;
        if (current == null || !current.matches(secret)) {
            LOG.debug("[{}] cancel request with a wrong key ignored", id());
            return;
        }
        loop().execute(() -> {
            PooledServer server = attachment == null ? null : attachment.server();
            if (server != null && phase == Phase.READY) {
                LOG.info("[{}] forwarding cancel request to backend {}", id(), server.connection().backend().name());
                runtime.cancels().cancel(server.connection().backend(), server.connection().keyData());
            } else {
                LOG.debug("[{}] cancel request for an idle session ignored", id());
            }
        });
    }

    /**
     * Shutdown: ends the session when it is idle, otherwise at its next idle ReadyForQuery. An idle
     * session is looked at again after {@link #DRAIN_GRACE_MILLIS}, so that a query already on its
     * way from the client is read and answered rather than cut off.
     */
    public void drain() {
        loop().execute(() -> {
            endWhenIdle(SHUTDOWN);
            if (phase != Phase.READY) {
                fatal(SHUTDOWN);
            } else if (idle()) {
                loop().schedule(() -> {
                    if (phase == Phase.READY && idle()) {
                        fatal(SHUTDOWN);
                    }
                }, DRAIN_GRACE_MILLIS, TimeUnit.MILLISECONDS);
            }
        });
    }

    private void endWhenIdle(ErrorResponse error) {
        if (endWhenIdle == null) {
            endWhenIdle = error;
        }
    }

    private boolean idle() {
        return relayState.transactionStatus() == ReadyForQuery.IDLE && relayState.pendingSyncs() == 0;
    }

    /** Shutdown timeout: ends the session whatever it is doing. */
    public void kill() {
        loop().execute(() -> fatal(SHUTDOWN));
    }

    /** The attached server's connection closed. */
    void serverClosed() {
        attachment.serverLost();
        if (phase != Phase.READY || !client.isActive()) {
            return;
        }
        if (relayState.serverSentFatal()) {
            // The client has the server's own FATAL; a second error would only confuse it.
            LOG.info("[{}] the server ended the session with a FATAL error", id());
            FatalReply.closeQuietly(client);
            cleanup();
        } else {
            LOG.warn("[{}] the server closed the connection", id());
            fatal("08006", "server closed the connection unexpectedly");
        }
    }

    /**
     * Ends the session because an interceptor refused it in {@code hook}, or returned a decision
     * the hook cannot take.
     *
     * @param by the deciding plugin's name
     */
    void refuse(String hook, Decision decision, String by, RefusalContext.Stage stage) {
        if (decision instanceof Decision.Reject reject) {
            LOG.info("[{}] refused by interceptor {} in {}: {} {}", id(), by, hook, reject.sqlState(), reject.message());
            ErrorResponse error = ErrorResponse.fatal(reject.sqlState(), reject.message());
            refuse(stage, by, reject.hint() == null ? error : error.withHint(reject.hint()));
        } else {
            LOG.error("[{}] interceptor {} returned {} from {}, which {} cannot take", id(), by, decision, hook, hook);
            refuse(stage, by, ErrorResponse.fatal("XX000", "internal error: an interceptor returned a decision that " + hook
                    + " cannot take"));
        }
    }

    /** The refusal of a route or a backend login that names a backend the configuration in force does not have. */
    private static ErrorResponse unknownBackend(String name) {
        return ErrorResponse.fatal("08001", "no backend named \"" + name + "\"");
    }

    /** Ends the session with the proxy's own refusal (a limit, a failed login, a missing auth rule). */
    void refuse(RefusalContext.Stage stage, ErrorResponse error) {
        refuse(stage, RefusalView.PROXY, error);
    }

    /** Sends the refusal, tells onRefused interceptors once it is on its way, and ends the session. */
    private void refuse(RefusalContext.Stage stage, String by, ErrorResponse error) {
        boolean open = phase != Phase.CLOSED;
        sendFatal(error);
        Interceptor[] hooks = runtime.chain().refusedHooks();
        if (open && hooks.length > 0) {
            RefusalNotifier.notify(hooks, new RefusalView(state, stage, by, authMethod, error.sqlState(), error.message(), null));
        }
        cleanup();
    }

    /** A backend refused the login the proxy tried for the client (passthrough): the client gets the server's error. */
    void fatalFromBackend(BackendException error) {
        LOG.info("[{}] backend login failed: {} {}", id(), error.sqlState(), error.message());
        refuse(RefusalContext.Stage.AUTH, error.serverError().orElseGet(() -> ErrorResponse.fatal(error.sqlState(), error.message())));
    }

    String passwordFailed() {
        return "password authentication failed for user \"" + state.user() + "\"";
    }

    void fatal(String sqlState, String message) {
        fatal(ErrorResponse.fatal(sqlState, message));
    }

    /** Sends the error and ends the session now; the client's socket closes when the client has read it. */
    void fatal(ErrorResponse error) {
        sendFatal(error);
        cleanup();
    }

    private void sendFatal(ErrorResponse error) {
        if (phase != Phase.CLOSED && client.isActive()) {
            LOG.info("[{}] ending the session: {} {}", id(), error.sqlState(), error.message());
        }
        FatalReply.send(client, error);
    }

    private void cleanup() {
        if (phase == Phase.CLOSED) {
            return;
        }
        phase = Phase.CLOSED;
        if (authTimer != null) {
            authTimer.cancel(false);
        }
        expiry.cancel();
        if (authentication != null) {
            authentication.abort();
        }
        passwords.clear();
        relayState.stop();
        runtime.sessions().unregister(key);
        runtime.sessions().release();
        if (attachment != null) {
            attachment.end();
        }
        for (Interceptor hook : runtime.chain().sessionEndHooks()) {
            try {
                hook.onSessionEnd(state);
            } catch (RuntimeException e) {
                LOG.error("[{}] interceptor {} failed in onSessionEnd", id(), hook, e);
            }
        }
        if (!FatalReply.lingering(client)) {
            client.close();
        }
        LOG.info("[{}] session ended", id());
    }

    static void closeQuietly(ServerConnection connection) {
        if (connection != null) {
            connection.close();
        }
    }
}
