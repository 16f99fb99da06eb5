package io.pgwarden.core.server;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.SocketChannel;
import io.pgwarden.core.admin.AdminHttpServer;
import io.pgwarden.core.admin.ByteCounter;
import io.pgwarden.core.admin.ProxyMeters;
import io.pgwarden.core.auth.AuthRules;
import io.pgwarden.core.auth.PassthroughAuthenticator;
import io.pgwarden.core.auth.TrustAuthenticator;
import io.pgwarden.core.backend.BackendConnector;
import io.pgwarden.core.backend.CancelForwarder;
import io.pgwarden.core.config.ProxyConfig;
import io.pgwarden.core.config.ReloadOutcome;
import io.pgwarden.core.frontend.ClientAcceptor;
import io.pgwarden.core.frontend.ClientTls;
import io.pgwarden.core.frontend.FatalReply;
import io.pgwarden.core.frontend.HandshakeHandler;
import io.pgwarden.core.plugin.InterceptorChain;
import io.pgwarden.core.plugin.PluginHost;
import io.pgwarden.core.pool.PoolRegistry;
import io.pgwarden.core.pool.PoolStats;
import io.pgwarden.core.protocol.frontend.CancelRequest;
import io.pgwarden.core.protocol.frontend.StartupMessage;
import io.pgwarden.core.session.ClientSession;
import io.pgwarden.core.session.ProxyRuntime;
import io.pgwarden.core.session.SessionRegistry;
import io.pgwarden.spi.TlsInfo;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running proxy: the listener, its event loops, the plugin chain and the live sessions.
 */
public final class PgwardenServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PgwardenServer.class);

    private final PluginHost plugins;
    private final AtomicReference<Generation> live = new AtomicReference<>();
    private final ConfigReload reload;
    private final SessionRegistry sessions;
    private final PoolRegistry pools;
    private final EventLoopGroup acceptGroup;
    private final EventLoopGroup ioGroup;
    private final Channel listener;
    private final ProxyMeters meters;
    private final AdminHttpServer adminHttp;
    private volatile boolean started;
    private volatile boolean draining;
    private boolean closed;
    private final CompletableFuture<Void> stopped = new CompletableFuture<>();

    private PgwardenServer(ProxyConfig config, Path configFile, Transport transport, PluginHost plugins, InterceptorChain chain,
                           Function<ProxyConfig, InterceptorChain> chains, BackendConnector connector)
            throws IOException, GeneralSecurityException {
        this.plugins = plugins;
        this.sessions = new SessionRegistry(config.limits().maxClientConnections());
        AuthMethods.check(config, chain);
        ClientTls tls = ClientTls.create(config.listen().tls());
        this.acceptGroup = transport.newGroup(1, "pgwarden-accept");
        this.ioGroup = transport.newGroup(ioThreads(), "pgwarden-io");
        CancelForwarder cancels = new CancelForwarder(transport.socketChannel(), ioGroup);
        this.pools = new PoolRegistry(config.pool(), config.backends(), connector, ioGroup, plugins.meterRegistry());
        pools.createFixedLoginPools(config.auth().rules());
        ByteCounter clientBytes = new ByteCounter();
        this.meters = ProxyMeters.register(plugins.meterRegistry(), sessions::size, sessions::readyCount, pools::stats, clientBytes,
                connector.bytes());
        this.reload = new ConfigReload(configFile, live, chains, plugins.meterRegistry());
        live.set(new Generation(new ProxyRuntime(config, chain, new AuthRules(config.auth().rules()), connector, cancels, sessions,
                pools, meters, reload, this::shutdownFromConsole, () -> live.get().runtime()), tls));
        Acceptor acceptor = new Acceptor();
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(acceptGroup, ioGroup)
                .channel(transport.serverChannel())
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.SO_KEEPALIVE, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(64 * 1024, 256 * 1024))
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                        Generation generation = live.get();
                        // TLS goes in behind the handshake handler, so the counter behind both counts protocol bytes.
                        channel.pipeline().addLast("handshake", new HandshakeHandler(generation.tls(), acceptor,
                                        generation.runtime().config().limits().maxStartupPacketSize()))
                                .addLast(ByteCounter.NAME, clientBytes);
                    }
                });
        this.adminHttp = startAdminHttp(config, transport);
        try {
            this.listener = bootstrap.bind(config.listen().host(), config.listen().port()).sync().channel();
        } catch (Exception e) {
            if (adminHttp != null) {
                adminHttp.close();
            }
            shutdownGroups();
            throw new IOException("cannot listen on " + config.listen().host() + ":" + config.listen().port() + ": " + e.getMessage(), e);
        }
        LOG.info("pgwarden listening on {} ({} transport, client TLS {})", listener.localAddress(), transport.name(),
                config.listen().tls().mode().name().toLowerCase(java.util.Locale.ROOT));
        started = true;
    }

    /** The admin endpoint, bound before the client listener so that a port clash stops the start; null when off. */
    private AdminHttpServer startAdminHttp(ProxyConfig config, Transport transport) throws IOException {
        if (!config.adminHttp().enabled()) {
            return null;
        }
        try {
            return AdminHttpServer.start(config.adminHttp(), transport.newGroup(1, "pgwarden-admin"), transport.serverChannel(),
                    transport.socketChannel(), () -> live.get().runtime().config().backends().values(), this::notServingReason,
                    this::metricsText);
        } catch (IOException e) {
            shutdownGroups();
            throw e;
        }
    }

    /** Why {@code /ready} must say no whatever the backends do; null while the proxy serves clients. */
    private String notServingReason() {
        if (draining) {
            return "shutting down";
        }
        return started ? null : "starting";
    }

    /**
     * Loads the plugins, builds the chain and starts listening, without a configuration file to reload.
     *
     * @param config the validated configuration
     * @return the running server
     * @throws Exception when plugins, TLS files or the listening socket fail; the message says which
     */
    public static PgwardenServer start(ProxyConfig config) throws Exception {
        return start(config, null);
    }

    /**
     * Loads the plugins, builds the chain and starts listening; {@link #reload} reads {@code configFile} again.
     *
     * @param config the validated configuration, loaded from {@code configFile}
     * @param configFile the file the configuration came from, or null when there is none
     * @return the running server
     * @throws Exception when plugins, TLS files or the listening socket fail; the message says which
     */
    public static PgwardenServer start(ProxyConfig config, Path configFile) throws Exception {
        Transport transport = Transport.best();
        BackendConnector connector = new BackendConnector(transport.socketChannel(), config.limits().maxMessageSize());
        PluginHost plugins = PluginHost.load(config.pluginsDirectory());
        InterceptorChain chain = null;
        try {
            plugins.registerBuiltIn(new TrustAuthenticator());
            // passthrough connects to the configuration's backends: each configuration (and reload) gets its own.
            Function<ProxyConfig, InterceptorChain> chains = next -> plugins.createChain(next.plugins(), next,
                    List.of(new PassthroughAuthenticator(next, connector)));
            chain = chains.apply(config);
            return new PgwardenServer(config, configFile, transport, plugins, chain, chains, connector);
        } catch (Exception | Error e) {
            if (chain != null) {
                chain.close();
            }
            plugins.close();
            throw e;
        }
    }

    /**
     * One event loop per core. Netty's default is twice the cores; next to PostgreSQL and its
     * clients on the same cores, the extra loops only add contention (docs/benchmarks.md: about a
     * third more transactions per second with one loop per core on 2 cores).
     * {@code -Dio.netty.eventLoopThreads=N} overrides it.
     */
    static int ioThreads() {
        return Math.max(1, Integer.getInteger("io.netty.eventLoopThreads", Runtime.getRuntime().availableProcessors()));
    }

    /**
     * The address the proxy listens on (with the real port when the config asked for port 0).
     *
     * @return the address
     */
    public InetSocketAddress address() {
        return (InetSocketAddress) listener.localAddress();
    }

    /**
     * The address of the admin HTTP endpoint.
     *
     * @return the address, or empty when {@code admin.http} is off
     */
    public Optional<InetSocketAddress> adminAddress() {
        return adminHttp == null ? Optional.empty() : Optional.of(adminHttp.address());
    }

    /**
     * A snapshot of the server connection pools.
     *
     * @return one entry per pool
     */
    public List<PoolStats> pools() {
        return pools.stats();
    }

    /**
     * Every metric of the core and the plugins in the Prometheus text format, as the admin
     * endpoint will publish it.
     *
     * @return the scrape text
     */
    public String metricsText() {
        return plugins.meterRegistry().scrape();
    }

    /**
     * Reads the configuration file again and applies it without dropping sessions: new logins use the
     * new auth rules and plugins, pools adopt new sizes, new TLS handshakes the TLS files as they are
     * now. Settings that need a restart keep their running value. An invalid file changes nothing.
     * Reloads run one at a time.
     *
     * @param trigger what asked for it, for the log
     * @return completes with the outcome
     */
    public CompletionStage<ReloadOutcome> reload(String trigger) {
        return reload.reload(trigger);
    }

    /**
     * The live sessions.
     *
     * @return the registry
     */
    public SessionRegistry sessions() {
        return sessions;
    }

    /**
     * Stops gracefully: stops accepting, ends idle sessions at once and busy ones when their
     * transaction ends, and after {@code limits.shutdown_timeout} ends the rest.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        draining = true;
        reload.close();
        ProxyRuntime runtime = live.get().runtime();
        listener.close().syncUninterruptibly();
        LOG.info("pgwarden stopping: {} client connection(s) open", sessions.size());
        sessions.sessions().forEach(ClientSession::drain);
        long deadline = System.nanoTime() + runtime.config().limits().shutdownTimeout().toNanos();
        while (sessions.size() > 0 && System.nanoTime() < deadline) {
            sleep(20);
        }
        if (sessions.size() > 0) {
            LOG.warn("shutdown timeout: ending {} session(s)", sessions.size());
            sessions.sessions().forEach(ClientSession::kill);
            long killDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
            while (sessions.size() > 0 && System.nanoTime() < killDeadline) {
                sleep(20);
            }
        }
        pools.close();
        if (adminHttp != null) {
            adminHttp.close();
        }
        shutdownGroups();
        runtime.chain().close();
        reload.closeReplacedChains();
        plugins.close();
        LOG.info("pgwarden stopped");
        stopped.complete(null);
    }

    /**
     * Completes when {@link #close()} is done, whoever called it (a signal's hook, the admin console's
     * {@code SHUTDOWN}).
     *
     * @return the stage
     */
    public CompletionStage<Void> stopped() {
        return stopped;
    }

    /** The admin console's SHUTDOWN: the graceful stop of {@link #close()}, on a thread of its own since it waits for sessions. */
    private void shutdownFromConsole() {
        LOG.info("shutdown requested from the admin console");
        new Thread(this::close, "pgwarden-console-shutdown").start();
    }

    private void shutdownGroups() {
        acceptGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        ioGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Admits connections and starts their sessions. */
    private final class Acceptor implements ClientAcceptor {

        @Override
        public Refusal admit() {
            if (draining) {
                return new Refusal("57P03", "the proxy is shutting down");
            }
            if (!sessions.tryAdmit()) {
                return new Refusal("53300", "sorry, too many clients already");
            }
            return null;
        }

        @Override
        public void refused(Channel channel, Refusal refusal) {
            ClientSession.refusedAtAdmission(live.get().runtime(), channel, refusal.sqlState(), refusal.message());
        }

        @Override
        public void leave() {
            sessions.release();
        }

        @Override
        public void cancel(CancelRequest request) {
            meters.cancelRequested();
            ClientSession session = sessions.findByProcessId(request.processId());
            if (session != null) {
                session.cancel(request.secretKey());
            }
        }

        @Override
        public void start(Channel channel, StartupMessage startup, TlsInfo tls, byte[] channelBinding) {
            if (draining) {
                sessions.release();
                FatalReply.send(channel, "57P03", "the proxy is shutting down");
                return;
            }
            ProxyRuntime runtime = retainCurrent();
            ClientSession.start(runtime, channel, startup, tls, channelBinding);
            // Registered after the session's own close listener, so the chain is released after onSessionEnd ran.
            channel.closeFuture().addListener(future -> runtime.chain().release());
        }

        /** The current runtime, its chain retained for the session; a reload may replace it meanwhile. */
        private ProxyRuntime retainCurrent() {
            while (true) {
                ProxyRuntime runtime = live.get().runtime();
                if (runtime.chain().retain()) {
                    return runtime;
                }
            }
        }
    }
}
