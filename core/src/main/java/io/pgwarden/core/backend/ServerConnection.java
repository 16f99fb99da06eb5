package io.pgwarden.core.backend;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.pgwarden.core.config.BackendConfig;
import io.pgwarden.core.protocol.backend.BackendKeyData;
import io.pgwarden.core.protocol.frontend.Terminate;
import io.pgwarden.spi.BackendLogin;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A logged-in connection to a backend, idle after the server's first ReadyForQuery.
 *
 * <p>The channel has auto-read off and no startup handlers of the connector, except when the server
 * sent bytes after its ReadyForQuery (a NoticeResponse, say): those are held by a handler that
 * stays in the pipeline until the next read. So the owner adds its handler with
 * {@code channel().pipeline().addLast(...)} and then calls {@code channel().read()} (or turns
 * auto-read on): the held bytes reach its handler first, as a {@code ByteBuf}, followed by
 * whatever that read brings. A TLS {@code SslHandler} stays first in the pipeline when the
 * connection is encrypted.
 */
public final class ServerConnection {

    private final Channel channel;
    private final Map<String, String> parameters;
    private final BackendKeyData keyData;
    private final BackendConfig backend;
    private final BackendLogin login;

    ServerConnection(Channel channel, Map<String, String> parameters, BackendKeyData keyData, BackendConfig backend,
                     BackendLogin login) {
        this.channel = Objects.requireNonNull(channel, "channel");
        this.parameters = Collections.unmodifiableMap(new LinkedHashMap<>(parameters));
        this.keyData = keyData;
        this.backend = Objects.requireNonNull(backend, "backend");
        this.login = Objects.requireNonNull(login, "login");
    }

    /**
     * The channel to the server, auto-read off.
     *
     * @return the channel
     */
    public Channel channel() {
        return channel;
    }

    /**
     * The server's ParameterStatus values from the startup, in the order received.
     *
     * @return an unmodifiable map
     */
    public Map<String, String> parameters() {
        return parameters;
    }

    /**
     * The server's BackendKeyData, needed to cancel its queries.
     *
     * @return the key, or null when the server sent none (the protocol allows that)
     */
    public BackendKeyData keyData() {
        return keyData;
    }

    /**
     * The backend this connection goes to.
     *
     * @return the backend's configuration
     */
    public BackendConfig backend() {
        return backend;
    }

    /**
     * The login this connection was made with.
     *
     * @return the login
     */
    public BackendLogin login() {
        return login;
    }

    /**
     * Whether the connection is encrypted.
     *
     * @return true when TLS is in use
     */
    public boolean encrypted() {
        return channel.pipeline().get(BackendStartupHandler.TLS) != null;
    }

    /** Sends Terminate when the channel is still open, then closes it. */
    public void close() {
        if (channel.isActive()) {
            ByteBuf terminate = channel.alloc().buffer(5);
            Terminate.INSTANCE.encode(terminate);
            channel.writeAndFlush(terminate).addListener(ChannelFutureListener.CLOSE);
        } else {
            channel.close();
        }
    }

    @Override
    public String toString() {
        return "ServerConnection[backend=" + backend.name() + ", user=" + login.user() + ", database="
                + login.database() + ", channel=" + channel + "]";
    }
}
