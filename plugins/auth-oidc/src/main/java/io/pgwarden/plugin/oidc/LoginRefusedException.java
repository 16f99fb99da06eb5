package io.pgwarden.plugin.oidc;

/** A person may not log in: the message says which setting refused, for the client (FATAL 28000) and the log. */
final class LoginRefusedException extends Exception {

    private static final long serialVersionUID = 1L;

    LoginRefusedException(String message) {
        super(message);
    }
}
