package io.pgwarden.testkit.spi;

import io.pgwarden.spi.ClientInfo;
import io.pgwarden.spi.Identity;
import io.pgwarden.spi.SessionContext;
import io.pgwarden.spi.TlsInfo;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A {@link SessionContext} for plugin unit tests: what the core would hand a hook, with fixed values.
 *
 * @param sessionId the session id
 * @param client the client's address and TLS facts
 * @param startupParameters the startup parameters
 * @param identity the identity, empty before authentication
 * @param attributes the per-session attribute map (mutable)
 */
public record TestSession(String sessionId, ClientInfo client, Map<String, String> startupParameters,
                          Optional<Identity> identity, Map<String, Object> attributes) implements SessionContext {

    /**
     * A session before authentication, with session id {@code s-test}, over TLS 1.3 or plain.
     *
     * @param user the startup user
     * @param database the startup database
     * @param address the client's address
     * @param tls whether the client uses TLS
     * @return the session
     */
    public static TestSession of(String user, String database, InetSocketAddress address, boolean tls) {
        ClientInfo client = new ClientInfo(address,
                tls ? new TlsInfo("TLSv1.3", "TLS_AES_128_GCM_SHA256", null, List.of(), false) : null);
        return new TestSession("s-test", client, Map.of("user", user, "database", database), Optional.empty(), new HashMap<>());
    }
}
