package io.pgwarden.core.session;

import io.pgwarden.spi.AuthContext;
import io.pgwarden.spi.BackendLogin;
import io.pgwarden.spi.Identity;
import java.time.Instant;
import java.util.Objects;

/** {@link AuthContext} over a session's state and the login being chosen. */
final class AuthView extends SessionView implements AuthContext {

    private final SessionExpiry expiry;
    private BackendLogin login;

    AuthView(SessionState state, BackendLogin login, SessionExpiry expiry) {
        super(state);
        this.login = login;
        this.expiry = expiry;
    }

    @Override
    public Identity authenticatedIdentity() {
        return state.identity().orElseThrow();
    }

    @Override
    public BackendLogin login() {
        return login;
    }

    @Override
    public void setLogin(BackendLogin value) {
        this.login = Objects.requireNonNull(value, "login");
    }

    @Override
    public void expireAt(Instant deadline, String message) {
        expiry.offer(deadline, message);
    }
}
