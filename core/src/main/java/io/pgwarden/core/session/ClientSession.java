package io.pgwarden.core.session;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import io.pgwarden.core.backend.BackendException;
import io.pgwarden.core.backend.CredentialResponder;
import io.pgwarden.core.backend.ServerConnection;
import io.pgwarden.core.config.AuthRule;
import io.pgwarden.core.config.BackendConfig;
import io.pgwarden.core.frontend.FatalReply;
import io.pgwarden.core.protocol.Frame;
import io.pgwarden.core.protocol.MessageType;
import io.pgwarden.core.protocol.PgFrameDecoder;
import io.pgwarden.core.protocol.backend.AuthenticationOk;
import io.pgwarden.core.protocol.backend.BackendKeyData;
import io.pgwarden.core.protocol.backend.ErrorResponse;
import io.pgwarden.core.protocol.backend.NegotiateProtocolVersion;
import io.pgwarden.core.protocol.backend.ParameterStatus;
import io.pgwarden.core.protocol.backend.ReadyForQuery;
import io.pgwarden.core.protocol.frontend.StartupMessage;
import io.pgwarden.spi.AuthOutcome;
import io.pgwarden.spi.AuthProtocolException;
import io.pgwarden.spi.Authenticator;
import io.pgwarden.spi.BackendLogin;
import io.pgwarden.spi.ClientInfo;
import io.pgwarden.spi.Credential;
import io.pgwarden.spi.Decision;
import io.pgwarden.spi.Interceptor;
import io.pgwarden.spi.TlsInfo;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
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

    private enum Phase { STARTUP, AUTHENTICATING, CONNECTING, READY, CLOSED }

    private final ProxyRuntime runtime;
    private final Channel client;
    private final SessionState state;
    private final StartupMessage startup;
    private final byte[] channelBinding;
    private final ClientAuthExchange.PasswordCache passwords = new ClientAuthExchange.PasswordCache();
    private final List<Frame> early = new ArrayList<>();
    private final RelayState relayState = new RelayState();

    private Phase phase = Phase.STARTUP;
    private ClientAuthExchange exchange;
    private ChannelHandlerContext authContext;
    private ScheduledFuture<?> authTimer;
    private CancelKey key;
    private ServerConnection server;
    private String routedBackend;
    private boolean draining;

    private ClientSession(ProxyRuntime runtime, Channel client, StartupMessage startup, TlsInfo tls, byte[] channelBinding) {
        this.runtime = runtime;
        this.client = client;
        this.startup = startup;
        this.channelBinding = channelBinding;
        String id = String.format("%08x", IDS.nextInt());
        this.state = new SessionState(id, new ClientInfo((InetSocketAddress) client.remoteAddress(), tls), startup.parameters());
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

    EventLoop loop() {
        return client.eventLoop();
    }

    private void begin() {
        client.pipeline().addLast("frames", new PgFrameDecoder(runtime.config().limits().maxMessageSize()));
        client.pipeline().addLast("auth", new AuthInbound());
        client.closeFuture().addListener(future -> cleanup());
        authTimer = loop().schedule(() -> {
            if (phase != Phase.READY && phase != Phase.CLOSED) {
                fatal("08006", "canceling authentication due to timeout");
            }
        }, runtime.config().limits().authTimeout().toMillis(), TimeUnit.MILLISECONDS);

        String user = state.user();
        if (user == null || user.isEmpty()) {
            fatal("28000", "no PostgreSQL user name specified in startup packet");
            return;
        }
        String replication = state.startupParameters().get("replication");
        if (replication != null && !replication.equalsIgnoreCase("false") && !replication.equals("0")
                && !replication.equalsIgnoreCase("off") && !replication.equalsIgnoreCase("no")) {
            fatal("0A000", "replication connections are not supported by pgwarden");
            return;
        }
        negotiateProtocolVersion();
        LOG.info("[{}] connection from {} user={} database={}{}", id(), state.client().address(), user, state.database(),
                state.client().tls() == null ? "" : " tls=" + state.client().tls().protocol());
        StartupView view = new StartupView(state);
        HookRunner.run(runtime.chain().startupHooks(), hook -> hook.onStartup(view), decision -> false, loop(), this::afterStartupHooks);
    }

    /** Protocol 3.x with x > 0, or {@code _pq_.} options: answer as PostgreSQL does, then go on with 3.0. */
    private void negotiateProtocolVersion() {
        int minor = startup.protocolVersion() & 0xFFFF;
        List<String> unsupported = new ArrayList<>();
        for (String name : startup.parameters().keySet()) {
            if (name.startsWith("_pq_.")) {
                unsupported.add(name);
            }
        }
        unsupported.forEach(name -> state.parameters().remove(name));
        if (minor != 0 || !unsupported.isEmpty()) {
            ByteBuf out = client.alloc().buffer();
            new NegotiateProtocolVersion(0, unsupported).encode(out);
            client.write(out, client.voidPromise());
        }
    }

    private void afterStartupHooks(Decision decision) {
        if (phase == Phase.CLOSED) {
            return;
        }
        if (decision instanceof Decision.Route route) {
            if (!runtime.config().backends().containsKey(route.backend())) {
                LOG.error("[{}] an interceptor routed the session to unknown backend '{}'", id(), route.backend());
                fatal("08001", "no backend named \"" + route.backend() + "\"");
                return;
            }
            routedBackend = route.backend();
            authenticate(0);
        } else if (decision instanceof Decision.Proceed) {
            authenticate(0);
        } else {
            refuse("onStartup", decision);
        }
    }

    private void authenticate(int fromRule) {
        boolean tls = state.client().tls() != null;
        int index = runtime.rules().match(fromRule, state.database(), state.user(), state.client().address().getAddress(), tls);
        if (index < 0) {
            if (fromRule == 0) {
                fatal("28000", "no pgwarden auth rule for host \"" + state.client().address().getAddress().getHostAddress()
                        + "\", user \"" + state.user() + "\", database \"" + state.database() + "\", "
                        + (tls ? "SSL encryption" : "no encryption"));
            } else {
                fatal("28P01", passwordFailed());
            }
            return;
        }
        AuthRule rule = runtime.rules().rule(index);
        Optional<Authenticator> authenticator = runtime.chain().authenticator(rule.method());
        if (authenticator.isEmpty()) {
            LOG.error("[{}] auth rule {} names method '{}' that no plugin provides", id(), rule.path(), rule.method());
            fatal("XX000", "authentication method \"" + rule.method() + "\" is not available");
            return;
        }
        phase = Phase.AUTHENTICATING;
        exchange = new ClientAuthExchange(state, client, rule, defaultLogin(rule), channelBinding, passwords);
        CompletionStage<AuthOutcome> outcome;
        try {
            outcome = authenticator.get().authenticate(exchange);
        } catch (RuntimeException e) {
            outcome = java.util.concurrent.CompletableFuture.failedFuture(e);
        }
        ClientAuthExchange current = exchange;
        outcome.whenComplete((result, error) -> loop().execute(() -> afterAuthentication(index, rule, current, result, error)));
    }

    private BackendLogin defaultLogin(AuthRule rule) {
        String backend = routedBackend != null ? routedBackend : rule.backend();
        AuthRule.LoginConfig login = rule.login();
        String user = login != null ? login.user() : state.user();
        String database = login != null && login.database() != null ? login.database() : state.database();
        Credential credential = login != null && login.password() != null ? Credential.password(login.password()) : Credential.none();
        Map<String, String> parameters = new LinkedHashMap<>(state.startupParameters());
        parameters.remove("user");
        parameters.remove("database");
        parameters.remove("replication");
        return new BackendLogin(backend, database, user, credential, parameters, List.of());
    }

    private void afterAuthentication(int index, AuthRule rule, ClientAuthExchange current, AuthOutcome outcome, Throwable error) {
        if (phase == Phase.CLOSED) {
            closeQuietly(current.takeAuthenticatedServer());
            return;
        }
        if (error != null) {
            Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
            closeQuietly(current.takeAuthenticatedServer());
            if (cause instanceof AuthProtocolException) {
                fatal("08P01", cause.getMessage());
            } else if (cause instanceof BackendException backend) {
                fatalFromBackend(backend);
            } else {
                LOG.error("[{}] authentication method '{}' failed", id(), rule.method(), cause);
                fatal("XX000", "internal error during authentication");
            }
            return;
        }
        if (outcome instanceof AuthOutcome.Success success) {
            state.setIdentity(success.identity());
            passwords.clear();
            LOG.info("[{}] authenticated as {} by method {} (rule {})", id(), success.identity().displayName(),
                    rule.method(), rule.path());
            BackendLogin login = success.login() != null ? success.login() : current.defaultLogin();
            AuthView view = new AuthView(state, login);
            HookRunner.run(runtime.chain().authHooks(), hook -> hook.onAuth(view), decision -> false, loop(), decision -> {
                if (decision instanceof Decision.Proceed) {
                    attach(view.login());
                } else {
                    refuse("onAuth", decision);
                }
            });
        } else if (outcome instanceof AuthOutcome.Failure failure) {
            closeQuietly(current.takeAuthenticatedServer());
            LOG.info("[{}] authentication failed for user {} (method {}, rule {}): {}", id(), state.user(), rule.method(),
                    rule.path(), failure.logReason());
            fatal(failure.sqlState(), failure.message() != null ? failure.message() : passwordFailed());
        } else if (outcome instanceof AuthOutcome.NotApplicable notApplicable) {
            closeQuietly(current.takeAuthenticatedServer());
            LOG.debug("[{}] method {} does not apply: {}", id(), rule.method(), notApplicable.logReason());
            authenticate(index + 1);
        } else {
            fatal("XX000", "internal error during authentication");
        }
    }

    private void attach(BackendLogin login) {
        phase = Phase.CONNECTING;
        ServerConnection authenticated = exchange.takeAuthenticatedServer();
        if (authenticated != null) {
            initialize(authenticated, login);
            return;
        }
        BackendConfig backend = runtime.config().backends().get(login.backend());
        if (backend == null) {
            LOG.error("[{}] the backend login names unknown backend '{}'", id(), login.backend());
            fatal("08001", "no backend named \"" + login.backend() + "\"");
            return;
        }
        runtime.connector().connect(backend, login, loop(), new CredentialResponder(login))
                .whenComplete((connection, error) -> loop().execute(() -> {
                    if (phase == Phase.CLOSED) {
                        closeQuietly(connection);
                    } else if (error != null) {
                        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
                        if (cause instanceof BackendException backendError) {
                            fatalFromBackend(backendError);
                        } else {
                            LOG.error("[{}] connecting to backend {} failed", id(), backend.name(), cause);
                            fatal("08006", "could not connect to the server");
                        }
                    } else {
                        initialize(connection, login);
                    }
                }));
    }

    private void initialize(ServerConnection connection, BackendLogin login) {
        server = connection;
        server.channel().closeFuture().addListener(future -> loop().execute(this::serverClosed));
        if (login.sessionInit().isEmpty()) {
            ready();
            return;
        }
        SessionInit.run(connection, login.sessionInit(), runtime.config().limits().maxMessageSize()).whenComplete(
                (ignored, error) -> loop().execute(() -> {
                    if (phase == Phase.CLOSED) {
                        return;
                    }
                    if (error != null) {
                        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
                        LOG.error("[{}] session initialization failed: {}", id(), cause.getMessage());
                        fatal("08006", "session initialization failed on the server: " + cause.getMessage());
                    } else {
                        ready();
                    }
                }));
    }

    /** Tells the client it is in, and starts relaying. */
    private void ready() {
        key = runtime.sessions().register(this);
        ByteBuf out = client.alloc().buffer(256);
        AuthenticationOk.INSTANCE.encode(out);
        for (Map.Entry<String, String> parameter : server.parameters().entrySet()) {
            new ParameterStatus(parameter.getKey(), parameter.getValue()).encode(out);
        }
        new BackendKeyData(key.processId(), key.secret()).encode(out);
        ReadyForQuery.IDLE_INSTANCE.encode(out);
        client.write(out, client.voidPromise());

        int maxMessageSize = runtime.config().limits().maxMessageSize();
        RelayHandler fromClient = new RelayHandler(server.channel(), new FrontendPolicy(this), maxMessageSize);
        RelayHandler fromServer = new RelayHandler(client, new BackendPolicy(this), maxMessageSize);
        RelayHandler.pair(fromClient, fromServer);
        relayState.attach(fromClient, fromServer);
        server.channel().pipeline().addLast("relay", fromServer);
        SessionInit.handOver(server.channel());
        client.pipeline().addAfter("auth", "relay", fromClient);
        for (Frame frame : early) {
            authContext.fireChannelRead(FrameWire.of(frame, client.alloc()));
            frame.release();
        }
        early.clear();
        client.pipeline().remove("auth");
        client.pipeline().remove("frames");
        authTimer.cancel(false);
        phase = Phase.READY;
        client.flush();
        fromClient.updateAutoRead();
        fromServer.updateAutoRead();
        LOG.info("[{}] ready: backend {} as user {} database {}", id(), server.backend().name(), server.login().user(),
                server.login().database());
    }

    /** Called by the backend relay at each ReadyForQuery. */
    void readyForQuery(char status) {
        if (draining && status == ReadyForQuery.IDLE && relayState.pendingSyncs() == 0) {
            fatal("57P01", "terminating connection due to administrator command");
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
            if (server != null && phase == Phase.READY) {
                LOG.info("[{}] forwarding cancel request to backend {}", id(), server.backend().name());
                runtime.cancels().cancel(server.backend(), server.keyData());
            }
        });
    }

    /** Shutdown: ends the session now when it is idle, otherwise at its next idle ReadyForQuery. */
    public void drain() {
        loop().execute(() -> {
            if (phase != Phase.READY || (relayState.transactionStatus() == ReadyForQuery.IDLE && relayState.pendingSyncs() == 0)) {
                fatal("57P01", "terminating connection due to administrator command");
            } else {
                draining = true;
            }
        });
    }

    /** Shutdown timeout: ends the session whatever it is doing. */
    public void kill() {
        loop().execute(() -> fatal("57P01", "terminating connection due to administrator command"));
    }

    private void serverClosed() {
        if (phase == Phase.READY && client.isActive()) {
            LOG.warn("[{}] the server closed the connection", id());
            fatal("08006", "server closed the connection unexpectedly");
        }
    }

    private void refuse(String hook, Decision decision) {
        if (decision instanceof Decision.Reject reject) {
            LOG.info("[{}] refused by an interceptor in {}: {} {}", id(), hook, reject.sqlState(), reject.message());
            ErrorResponse error = ErrorResponse.fatal(reject.sqlState(), reject.message());
            FatalReply.send(client, reject.hint() == null ? error : error.withHint(reject.hint()));
        } else {
            LOG.error("[{}] an interceptor returned {} from {}, which {} cannot take", id(), decision, hook, hook);
            fatal("XX000", "internal error: an interceptor returned a decision that " + hook + " cannot take");
        }
    }

    private void fatalFromBackend(BackendException error) {
        LOG.info("[{}] backend login failed: {} {}", id(), error.sqlState(), error.message());
        if (error.serverError().isPresent()) {
            FatalReply.send(client, error.serverError().get());
        } else {
            fatal(error.sqlState(), error.message());
        }
    }

    private String passwordFailed() {
        return "password authentication failed for user \"" + state.user() + "\"";
    }

    private void fatal(String sqlState, String message) {
        FatalReply.send(client, sqlState, message);
        if (!client.isActive()) {
            cleanup();
        }
    }

    private void cleanup() {
        if (phase == Phase.CLOSED) {
            return;
        }
        phase = Phase.CLOSED;
        if (authTimer != null) {
            authTimer.cancel(false);
        }
        if (exchange != null) {
            exchange.abort("the client closed the connection");
            closeQuietly(exchange.takeAuthenticatedServer());
        }
        early.forEach(Frame::release);
        early.clear();
        passwords.clear();
        relayState.stop();
        runtime.sessions().unregister(key);
        runtime.sessions().release();
        closeQuietly(server);
        for (Interceptor hook : runtime.chain().sessionEndHooks()) {
            try {
                hook.onSessionEnd(state);
            } catch (RuntimeException e) {
                LOG.error("[{}] interceptor {} failed in onSessionEnd", id(), hook, e);
            }
        }
        client.close();
        LOG.info("[{}] session ended", id());
    }

    private static void closeQuietly(ServerConnection connection) {
        if (connection != null) {
            connection.close();
        }
    }

    /** Receives the client's messages while it authenticates. */
    private final class AuthInbound extends ChannelInboundHandlerAdapter {

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            authContext = ctx;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (!(msg instanceof Frame frame)) {
                ctx.fireChannelRead(msg);
                return;
            }
            if (phase == Phase.CLOSED) {
                frame.release();
            } else if (frame.type() == MessageType.TERMINATE) {
                frame.release();
                client.close();
            } else if (phase == Phase.AUTHENTICATING && exchange != null && exchange.deliver(frame)) {
                return;
            } else if (state.identity().isPresent()) {
                // A client that sends its first query before ReadyForQuery: keep it for the relay.
                early.add(frame);
            } else {
                byte type = frame.type();
                frame.release();
                clientViolation("unexpected message type '" + MessageType.frontendName(type) + "' during authentication");
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (cause instanceof io.netty.handler.codec.DecoderException && cause.getCause() instanceof io.pgwarden.core.protocol.ProtocolException) {
                clientViolation(cause.getCause().getMessage());
            } else if (cause instanceof io.pgwarden.core.protocol.ProtocolException) {
                clientViolation(cause.getMessage());
            } else {
                LOG.debug("[{}] client connection failed: {}", id(), cause.toString());
                client.close();
            }
        }
    }
}
