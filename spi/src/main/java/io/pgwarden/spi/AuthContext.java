package io.pgwarden.spi;

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
}
