package io.pgwarden.core.session;

import io.pgwarden.spi.StartupContext;

/** {@link StartupContext} over a session's state. */
final class StartupView extends SessionView implements StartupContext {

    StartupView(SessionState state) {
        super(state);
    }

    @Override
    public void setParameter(String name, String value) {
        state.parameters().put(java.util.Objects.requireNonNull(name, "name"), java.util.Objects.requireNonNull(value, "value"));
    }

    @Override
    public void removeParameter(String name) {
        if ("user".equals(name)) {
            throw new IllegalArgumentException("the user parameter cannot be removed");
        }
        state.parameters().remove(name);
    }
}
