package io.pgwarden.core.server;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.SocketChannel;
import io.pgwarden.core.admin.AdminHttpServer;
import io.pgwarden.core.admin.ProxyMeters;
import io.pgwarden.core.auth.AuthRules;
import io.pgwarden.core.auth.PassthroughAuthenticator;
import io.pgwarden.core.auth.TrustAuthenticator;
import io.pgwarden.core.backend.BackendConnector;
import io.pgwarden.core.backend.CancelForwarder;
import io.pgwarden.core.config.AuthRule;
import io.pgwarden.core.config.ConfigException;
import io.pgwarden.core.config.ProxyConfig;
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
import io.pgwarden.spi.Authenticator;
import io.pgwarden.spi.PluginConfigException;
import io.pgwarden.spi.TlsInfo;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running proxy: the listener, its event loops, the plugin chain and the live sessions.
 */
public final class PgwardenServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PgwardenServer.class);

    private final ProxyConfig config;
    private final PluginHost plugins;
    private final InterceptorChain chain;
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

    private PgwardenServer(ProxyConfig config, Transport transport, PluginHost plugins, InterceptorChain chain,
                           BackendConnector connector) throws IOException, GeneralSecurityException {
        this.config = config;
        this.plugins = plugins;
        this.chain = chain;
        this.sessions = new SessionRegistry(config.limits().maxClientConnections());
        checkMethods(config, chain);
        ClientTls tls = ClientTls.create(config.listen().tls());
        this.acceptGroup = transport.newGroup(1, "pgwarden-accept");
        this.ioGroup = transport.newGroup(ioThreads(), "pgwarden-io");
        CancelForwarder cancels = new CancelForwarder(transport.socketChannel(), ioGroup);
        this.pools = new PoolRegistry(config.pool(), config.backends(), connector, ioGroup, plugins.meterRegistry());
        pools.createFixedLoginPools(config.auth().rules());
        this.meters = ProxyMeters.register(plugins.meterRegistry(), sessions::size, sessions::readyCount, pools::stats);
        ProxyRuntime runtime = new ProxyRuntime(config, chain, new AuthRules(config.auth().rules()), connector, cancels, sessions,
                pools, meters);
        Acceptor acceptor = new Acceptor(runtime);
        int maxStartup = config.limits().maxStartupPacketSize();
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
                        channel.pipeline().addLast("handshake", new HandshakeHandler(tls, acceptor, maxStartup));
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
                    transport.socketChannel(), config.backends().values(), this::notServingReason, this::metricsText);
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
     * Loads the plugins, builds the chain and starts listening.
     *
     * @param config the validated configuration
     * @return the running server
     * @throws Exception when plugins, TLS files or the listening socket fail; the message says which
     */
    public static PgwardenServer start(ProxyConfig config) throws Exception {
        Transport transport = Transport.best();
        BackendConnector connector = new BackendConnector(transport.socketChannel(), config.limits().maxMessageSize());
        PluginHost plugins = PluginHost.load(config.pluginsDirectory());
        InterceptorChain chain = null;
        try {
            plugins.registerBuiltIn(new TrustAuthenticator());
            plugins.registerBuiltIn(new PassthroughAuthenticator(config, connector));
            chain = plugins.createChain(config.plugins(), config);
            return new PgwardenServer(config, transport, plugins, chain, connector);
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
     * Every rule's method must exist once the plugins are loaded, and accept the rule's options; the
     * config alone cannot tell.
     */
    private static void checkMethods(ProxyConfig config, InterceptorChain chain) {
        List<String> problems = new ArrayList<>();
        for (AuthRule rule : config.auth().rules()) {
            Optional<Authenticator> authenticator = chain.authenticator(rule.method());
            if (authenticator.isEmpty()) {
                problems.add(rule.path() + ".method: unknown authentication method '" + rule.method()
                        + "'; available: " + String.join(", ", new java.util.TreeSet<>(chain.authMethods())));
                continue;
            }
            try {
                authenticator.get().checkRuleOptions(rule.options());
            } catch (PluginConfigException e) {
                problems.add(rule.path() + "." + e.getMessage());
            }
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
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
        listener.close().syncUninterruptibly();
        LOG.info("pgwarden stopping: {} client connection(s) open", sessions.size());
        sessions.sessions().forEach(ClientSession::drain);
        long deadline = System.nanoTime() + config.limits().shutdownTimeout().toNanos();
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
        chain.close();
        plugins.close();
        LOG.info("pgwarden stopped");
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
        private final ProxyRuntime runtime;

        Acceptor(ProxyRuntime runtime) {
            this.runtime = runtime;
        }

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
            ClientSession.refusedAtAdmission(runtime, channel, refusal.sqlState(), refusal.message());
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
            ClientSession.start(runtime, channel, startup, tls, channelBinding);
        }
    }
}
