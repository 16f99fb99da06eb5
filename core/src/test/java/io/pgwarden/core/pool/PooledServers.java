package io.pgwarden.core.pool;

import io.netty.channel.embedded.EmbeddedChannel;
import io.pgwarden.core.backend.ServerConnections;
import java.util.Map;

/**
 * Pooled servers for unit tests of what reads and changes a server's known state (settings plans,
 * the statement map), over an {@code EmbeddedChannel} and outside any pool: nothing is sent to a
 * server. The caller closes {@code server.channel()} when done.
 */
public final class PooledServers {

    private PooledServers() {
    }

    /**
     * A server that reported these settings at startup.
     *
     * @param reported its ParameterStatus values
     * @return the server, belonging to no pool
     */
    public static PooledServer reporting(Map<String, String> reported) {
        return new PooledServer(ServerConnections.on(new EmbeddedChannel(), reported), null);
    }
}
