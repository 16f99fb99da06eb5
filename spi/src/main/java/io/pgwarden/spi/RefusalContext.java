package io.pgwarden.spi;

/**
 * A client or statement that was refused: a plugin's {@link Decision#reject reject}, a failed
 * authentication, or a refusal by the proxy itself (connection limits, no matching auth rule).
 * Given to {@link Interceptor#onRefused} after the refusal was sent to the client.
 *
 * @since 1.4
 */
public interface RefusalContext {

    /** Where in the session the refusal happened. */
    enum Stage {
        /** At the startup message, before authentication ({@code onStartup}, limits, no auth rule). */
        STARTUP,
        /** During or right after authentication (a failed login, or an {@code onAuth} reject). */
        AUTH,
        /** A statement ({@code onQuery} reject). */
        QUERY
    }

    /**
     * The session. Its identity is empty when the refusal came before authentication succeeded.
     *
     * @return the session
     */
    SessionContext session();

    /**
     * Where the refusal happened.
     *
     * @return the stage
     */
    Stage stage();

    /**
     * Who refused: a plugin's {@code type} as in the {@code plugins} list (with {@code #2},
     * {@code #3}, ... for later entries of the same type), or {@code pgwarden} for the proxy
     * itself, including failed authentications.
     *
     * @return the refuser's name
     */
    String refusedBy();

    /**
     * The authentication method of the auth rule that applied ({@code scram-sha-256},
     * {@code oauth}, ...); {@code null} when no rule was chosen yet.
     *
     * @return the method or null
     */
    String authMethod();

    /**
     * The SQLSTATE sent to the client.
     *
     * @return the SQLSTATE
     */
    String sqlState();

    /**
     * The message sent to the client.
     *
     * @return the message
     */
    String message();

    /**
     * The refused statement's text, for {@link Stage#QUERY}; {@code null} otherwise.
     *
     * @return the text or null
     */
    String sql();
}
