package io.pgwarden.core.session;

import io.pgwarden.spi.ClientInfo;
import io.pgwarden.spi.Identity;
import io.pgwarden.spi.SessionContext;
import java.util.Map;
import java.util.Optional;

/** Delegates the session facts, so that hook contexts can extend them. */
abstract class SessionView implements SessionContext {

    final SessionState state;

    SessionView(SessionState state) {
        this.state = state;
    }

    @Override
    public String sessionId() {
        return state.sessionId();
    }

    @Override
    public ClientInfo client() {
        return state.client();
    }

    @Override
    public Map<String, String> startupParameters() {
        return state.startupParameters();
    }

    @Override
    public Optional<Identity> identity() {
        return state.identity();
    }

    @Override
    public Map<String, Object> attributes() {
        return state.attributes();
    }
}
