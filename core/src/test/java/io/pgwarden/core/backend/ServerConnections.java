package io.pgwarden.core.backend;

import io.netty.channel.Channel;
import io.pgwarden.core.config.BackendConfig;
import io.pgwarden.core.config.BackendTlsConfig;
import io.pgwarden.spi.BackendLogin;
import io.pgwarden.spi.Credential;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Logged-in server connections for unit tests of the units that hold one (pools, sessions), over a
 * channel the test supplies (an {@code EmbeddedChannel}): no PostgreSQL and no socket.
 */
public final class ServerConnections {

    private ServerConnections() {
    }

    /**
     * A connection of user {@code app} to database {@code app} on backend {@code main}.
     *
     * @param channel the channel to the "server"
     * @param parameters the ParameterStatus values of its startup
     * @return the connection
     */
    public static ServerConnection on(Channel channel, Map<String, String> parameters) {
        BackendConfig backend = new BackendConfig("main", "localhost", 5432, new BackendTlsConfig(BackendTlsConfig.Mode.DISABLE, null), Duration.ofSeconds(5));
        BackendLogin login = new BackendLogin("main", "app", "app", Credential.none(), Map.of(), List.of());
        return new ServerConnection(channel, parameters, null, backend, login);
    }
}
