package io.pgwarden.core.admin;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.ReadTimeoutHandler;
import io.pgwarden.core.config.AdminHttpConfig;
import io.pgwarden.core.config.BackendConfig;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Collection;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin HTTP endpoint ({@code admin.http}): {@code /health}, {@code /ready} and {@code /metrics}
 * on a port of its own, served by Netty's HTTP codec on one event loop of its own. Nothing of it runs
 * on the loops that relay sessions, and its limits are explicit: a request line of at most 4 KiB,
 * headers of at most 8 KiB, 10 seconds to send the request, one request per connection.
 */
public final class AdminHttpServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(AdminHttpServer.class);
    private static final int MAX_REQUEST_LINE = 4096;
    private static final int MAX_HEADERS = 8192;
    private static final int MAX_CHUNK = 8192;
    private static final int READ_TIMEOUT_SECONDS = 10;

    private final EventLoopGroup group;
    private final Readiness readiness;
    private final Channel listener;

    private AdminHttpServer(EventLoopGroup group, Readiness readiness, Channel listener) {
        this.group = group;
        this.readiness = readiness;
        this.listener = listener;
    }

    /**
     * Starts the backend check and listens.
     *
     * @param config where to listen and how often to check the backends
     * @param group a group of its own (one loop is plenty); the server shuts it down on close
     * @param serverChannel the listening socket class of the group's transport
     * @param socketChannel the connection socket class of the group's transport
     * @param backends the backends {@code /ready} checks: those of the configuration in force, read at each check
     * @param proxyState null while the proxy serves clients, else why not (starting, shutting down)
     * @param metrics the Prometheus scrape text
     * @return the running endpoint
     * @throws IOException when the address cannot be bound; the group is shut down then
     */
    public static AdminHttpServer start(AdminHttpConfig config, EventLoopGroup group, Class<? extends ServerChannel> serverChannel,
                                        Class<? extends SocketChannel> socketChannel, Supplier<Collection<BackendConfig>> backends,
                                        Supplier<String> proxyState, Supplier<String> metrics) throws IOException {
        Objects.requireNonNull(config, "config");
        Readiness readiness = new Readiness(group, socketChannel, backends, config.readyCheckInterval(), proxyState);
        AdminRoutes routes = new AdminRoutes(readiness::problems, metrics);
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(group)
                .channel(serverChannel)
                .option(ChannelOption.SO_BACKLOG, 64)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                        channel.pipeline()
                                .addLast("timeout", new ReadTimeoutHandler(READ_TIMEOUT_SECONDS))
                                .addLast("http", new HttpServerCodec(MAX_REQUEST_LINE, MAX_HEADERS, MAX_CHUNK))
                                .addLast("admin", new AdminHttpHandler(routes));
                    }
                });
        try {
            Channel listener = bootstrap.bind(config.host(), config.port()).sync().channel();
            LOG.info("admin HTTP listening on {} (/health, /ready, /metrics)", listener.localAddress());
            return new AdminHttpServer(group, readiness, listener);
        } catch (Exception e) {
            readiness.close();
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
            throw new IOException("cannot listen for admin HTTP on " + config.host() + ":" + config.port() + " (admin.http.listen): "
                    + e.getMessage(), e);
        }
    }

    /**
     * The bound address (with the real port when the config asked for port 0).
     *
     * @return the address
     */
    public InetSocketAddress address() {
        return (InetSocketAddress) listener.localAddress();
    }

    /** Stops listening and the backend check, and shuts the event loop down. */
    @Override
    public void close() {
        listener.close().syncUninterruptibly();
        readiness.close();
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
