package io.pgwarden.core.login;

/**
 * A failure of {@code pgwarden login} and its sibling commands, with a message for the person at the terminal: what
 * went wrong and, where there is one, what to do. The message never holds a token.
 */
public final class LoginException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /**
     * A failure with its message for a person.
     *
     * @param message what went wrong and what to do
     */
    public LoginException(String message) {
        super(message);
    }

    /**
     * A failure with its message for a person and the cause (for debug logs).
     *
     * @param message what went wrong and what to do
     * @param cause what caused it
     */
    public LoginException(String message, Throwable cause) {
        super(message, cause);
    }

    /**
     * The failure of a command that needs a login when there is none that works.
     *
     * @param profile the profile's name
     * @param why why the login is unusable, for instance {@code "login expired"}
     * @return the failure, telling to run {@code pgwarden login}
     */
    public static LoginException loginNeeded(String profile, String why) {
        return new LoginException(why + "; run pgwarden login --profile " + profile);
    }
}
