package io.pgwarden.core.admin;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.util.concurrent.ScheduledFuture;
import io.pgwarden.core.config.BackendConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * What {@code /ready} answers: the proxy is started (configuration loaded, plugins started, listener
 * bound), is not shutting down, and every backend of the configuration in force (as the last reload
 * left it) accepted a TCP connection at the last check. The backend check runs every
 * {@code ready_check_interval} on the admin event loop, never per request; a request reads the cached
 * result. Results are kept by name and address, so a backend a reload moved is "not checked yet"
 * until its new address has been tried. The check only opens and closes a socket, which PostgreSQL does
 * not log unless {@code log_connections} is on.
 */
final class Readiness implements AutoCloseable {

    /** A connect attempt never takes longer than this, whatever the backend's connect_timeout. */
    private static final Duration LONGEST_CONNECT = Duration.ofSeconds(5);

    private final EventLoopGroup group;
    private final Class<? extends SocketChannel> channelType;
    private final Supplier<Collection<BackendConfig>> backends;
    private final Supplier<String> proxyState;
    private final Map<String, String> unreachable = new ConcurrentHashMap<>();
    private final Map<String, Boolean> checked = new ConcurrentHashMap<>();
    private final Set<String> inFlight = ConcurrentHashMap.newKeySet();
    private final ScheduledFuture<?> schedule;

    /**
     * Starts the periodic backend check.
     *
     * @param group the admin event loop group
     * @param channelType the socket class of that group's transport
     * @param backends the backends to check, read again at each check and each request
     * @param interval how often
     * @param proxyState null while the proxy serves clients, else why it does not (starting, shutting down)
     */
    Readiness(EventLoopGroup group, Class<? extends SocketChannel> channelType, Supplier<Collection<BackendConfig>> backends,
              Duration interval, Supplier<String> proxyState) {
        this.group = Objects.requireNonNull(group, "group");
        this.channelType = Objects.requireNonNull(channelType, "channelType");
        this.backends = Objects.requireNonNull(backends, "backends");
        this.proxyState = Objects.requireNonNull(proxyState, "proxyState");
        long millis = interval.toMillis();
        this.schedule = group.next().scheduleAtFixedRate(this::checkBackends, 0, millis, TimeUnit.MILLISECONDS);
    }

    /**
     * The cached state.
     *
     * @return an empty list when ready, else one short line per failing item
     */
    List<String> problems() {
        List<String> problems = new ArrayList<>();
        String state = proxyState.get();
        if (state != null) {
            problems.add("proxy: " + state);
        }
        for (BackendConfig backend : backends.get()) {
            String reason = unreachable.get(key(backend));
            if (reason != null) {
                problems.add("backend " + backend.name() + " (" + backend.host() + ":" + backend.port() + "): " + reason);
            } else if (!checked.containsKey(key(backend))) {
                problems.add("backend " + backend.name() + ": not checked yet");
            }
        }
        return problems;
    }

    /** The cache key of a backend: its name and address. */
    private static String key(BackendConfig backend) {
        return backend.name() + "@" + backend.host() + ":" + backend.port();
    }

    private void checkBackends() {
        Collection<BackendConfig> current = backends.get();
        Set<String> keys = new HashSet<>();
        for (BackendConfig backend : current) {
            keys.add(key(backend));
        }
        // Backends a reload removed or moved are forgotten.
        unreachable.keySet().retainAll(keys);
        checked.keySet().retainAll(keys);
        for (BackendConfig backend : current) {
            String key = key(backend);
            if (!inFlight.add(key)) {
                // The last attempt has not ended (a slow connect): no second one beside it.
                continue;
            }
            Duration timeout = backend.connectTimeout().compareTo(LONGEST_CONNECT) < 0 ? backend.connectTimeout() : LONGEST_CONNECT;
            ChannelFuture connect = new Bootstrap().group(group).channel(channelType)
                    .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) timeout.toMillis())
                    .handler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel channel) {
                            // Nothing is sent or read: the check ends at the TCP handshake.
                        }
                    })
                    .connect(backend.host(), backend.port());
            connect.addListener((ChannelFuture done) -> {
                if (done.isSuccess()) {
                    unreachable.remove(key);
                    done.channel().close();
                } else {
                    unreachable.put(key, reason(done.cause()));
                }
                checked.put(key, Boolean.TRUE);
                inFlight.remove(key);
            });
        }
    }

    private static String reason(Throwable cause) {
        String message = cause.getMessage();
        String text = message == null || message.isBlank() ? cause.getClass().getSimpleName() : message;
        // Netty adds the address after a colon; the reason line names the backend already.
        int colon = text.indexOf(": /");
        return "not reachable (" + (colon > 0 ? text.substring(0, colon) : text) + ")";
    }

    /** Stops the periodic check. */
    @Override
    public void close() {
        schedule.cancel(false);
    }
}
