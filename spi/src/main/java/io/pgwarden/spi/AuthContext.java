package io.pgwarden.spi;

import java.time.Instant;

/**
 * The session as onAuth sees it: the identity is known and the backend login may be changed.
 */
public interface AuthContext extends SessionContext {

    /**
     * The identity the authenticator accepted.
     *
     * @return the identity
     */
    Identity authenticatedIdentity();

    /**
     * The backend login chosen so far (by the auth rule, the authenticator and earlier
     * interceptors).
     *
     * @return the login
     */
    BackendLogin login();

    /**
     * Replaces the backend login. Later interceptors see the new one.
     *
     * @param login the new login
     */
    void setLogin(BackendLogin login);

    /**
     * Ends the session at a deadline, for example when the credential the person signed in with
     * expires. At the deadline the client gets a FATAL error with SQLSTATE {@code 28000}
     * (invalid_authorization_specification) and {@code message}, and the connection closes:
     * <ul>
     *   <li>at once when the session is idle: its last ReadyForQuery said {@code I} (no
     *       transaction open) and no query is in flight;</li>
     *   <li>otherwise right after its next ReadyForQuery {@code I}: a running statement and an
     *       open transaction are not cut off, the client gets the result of its {@code COMMIT}
     *       (or {@code ROLLBACK}) first;</li>
     *   <li>right after authentication, before the client is let in, when the deadline has
     *       already passed (or passes while the session waits for its first server).</li>
     * </ul>
     * Called more than once (by one interceptor or several), the earliest deadline wins, with its
     * message. The deadline is counted on the session's event loop from the end of onAuth, against
     * the system clock; the timer is cancelled when the session ends first. Call it during
     * onAuth (from the hook, or before the stage of a {@link Decision#later later} decision
     * completes); afterwards it throws {@link IllegalStateException}.
     *
     * <p>The message is shown to the client and written to the proxy's log: it must hold no secret.
     * Since SPI 1.2.
     *
     * @param deadline when the session ends
     * @param message the error message the client gets, e.g. {@code "the sign-in of
     *                alice@example.com expired at 2026-11-21T12:00:00Z; sign in again"}
     * @throws NullPointerException when an argument is null
     * @throws IllegalStateException when onAuth is over
     */
    void expireAt(Instant deadline, String message);
}
