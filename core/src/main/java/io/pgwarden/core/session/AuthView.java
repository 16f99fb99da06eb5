package io.pgwarden.core.session;

import io.pgwarden.spi.AuthContext;
import io.pgwarden.spi.BackendLogin;
import io.pgwarden.spi.Identity;
import java.util.Objects;

/** {@link AuthContext} over a session's state and the login being chosen. */
final class AuthView extends SessionView implements AuthContext {

    private BackendLogin login;

    AuthView(SessionState state, BackendLogin login) {
        super(state);
        this.login = login;
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
}
