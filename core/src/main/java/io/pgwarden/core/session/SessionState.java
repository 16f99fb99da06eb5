package io.pgwarden.core.session;

import io.pgwarden.spi.ClientInfo;
import io.pgwarden.spi.Identity;
import io.pgwarden.spi.SessionContext;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The facts of one session that plugins see through {@link SessionContext}.
 */
final class SessionState implements SessionContext {

    private final String sessionId;
    private final ClientInfo client;
    private final Map<String, String> parameters;
    private final Map<String, String> parametersView;
    private final Map<String, Object> attributes = new HashMap<>();
    private Identity identity;

    SessionState(String sessionId, ClientInfo client, Map<String, String> startupParameters) {
        this.sessionId = sessionId;
        this.client = client;
        this.parameters = new LinkedHashMap<>(startupParameters);
        this.parametersView = Collections.unmodifiableMap(parameters);
    }

    @Override
    public String sessionId() {
        return sessionId;
    }

    @Override
    public ClientInfo client() {
        return client;
    }

    @Override
    public Map<String, String> startupParameters() {
        return parametersView;
    }

    @Override
    public Optional<Identity> identity() {
        return Optional.ofNullable(identity);
    }

    @Override
    public Map<String, Object> attributes() {
        return attributes;
    }

    void setIdentity(Identity value) {
        this.identity = value;
    }

    /** The mutable parameters, for onStartup changes. */
    Map<String, String> parameters() {
        return parameters;
    }

    String user() {
        return parameters.get("user");
    }

    String database() {
        return parameters.getOrDefault("database", parameters.get("user"));
    }
}
