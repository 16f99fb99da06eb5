package io.pgwarden.plugin.oidc;

import io.pgwarden.spi.AuthContext;
import io.pgwarden.spi.BackendLogin;
import io.pgwarden.spi.ClientInfo;
import io.pgwarden.spi.Identity;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/** An {@link AuthContext} as the core hands it to onAuth, with the attributes and login kept for the test. */
final class FakeAuthContext implements AuthContext {

    final Map<String, Object> attributes = new HashMap<>();
    final Map<String, String> startupParameters = new HashMap<>(Map.of("user", "alice", "database", "app"));
    final Identity identity;
    BackendLogin login;
    Instant deadline;
    String expiryMessage;

    FakeAuthContext(Identity identity, BackendLogin login) {
        this.identity = identity;
        this.login = login;
    }

    @Override
    public String sessionId() {
        return "s1";
    }

    @Override
    public ClientInfo client() {
        return new ClientInfo(new InetSocketAddress("127.0.0.1", 50000), null);
    }

    @Override
    public Map<String, String> startupParameters() {
        return startupParameters;
    }

    @Override
    public Optional<Identity> identity() {
        return Optional.of(identity);
    }

    @Override
    public Map<String, Object> attributes() {
        return attributes;
    }

    @Override
    public Identity authenticatedIdentity() {
        return identity;
    }

    @Override
    public BackendLogin login() {
        return login;
    }

    @Override
    public void setLogin(BackendLogin newLogin) {
        login = newLogin;
    }

    @Override
    public void expireAt(Instant newDeadline, String message) {
        deadline = newDeadline;
        expiryMessage = message;
    }
}
