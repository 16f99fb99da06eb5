package io.pgwarden.spi;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * How the proxy logs into the backend for a session. Sessions whose logins have the same backend,
 * database, user, credential and {@code role} parameter share pooled server connections, so two
 * people who map to one service account share a pool and a person with their own database role
 * (or their own {@code role} parameter) has their own.
 *
 * @param backend the backend name from the configuration
 * @param database the database to connect to
 * @param user the database user the proxy logs in as
 * @param credential how the proxy proves it is {@code user}
 * @param parameters further parameters for the server. The one named {@code role} is sent in the
 *                   startup packet of the pool's servers and is part of the pool key: servers
 *                   started for different roles are never shared, and {@code RESET ROLE} returns
 *                   to it (since SPI 1.2; the role must be given exactly so, not in
 *                   {@code options} or spelt otherwise, or the session is refused). Every other
 *                   parameter (e.g. {@code application_name}, {@code TimeZone}, {@code -c} settings
 *                   in {@code options}) is not part of the pool key: it is applied to whichever
 *                   pooled server the session gets, with {@code set_config}, each time it gets one
 * @param sessionInit statements run on the server each time the session gets it, and undone
 *                    when it gives it back (e.g. {@code SET ROLE}, {@code SET pgwarden.user})
 */
public record BackendLogin(String backend, String database, String user, Credential credential,
                           Map<String, String> parameters, List<String> sessionInit) {

    /** Checks for null and copies the collections. */
    public BackendLogin {
        Objects.requireNonNull(backend, "backend");
        Objects.requireNonNull(database, "database");
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(credential, "credential");
        parameters = Map.copyOf(parameters);
        sessionInit = List.copyOf(sessionInit);
    }

    /**
     * A copy with another user and credential.
     *
     * @param newUser the database user
     * @param newCredential the credential
     * @return the new login
     */
    public BackendLogin withUser(String newUser, Credential newCredential) {
        return new BackendLogin(backend, database, newUser, newCredential, parameters, sessionInit);
    }

    /**
     * A copy with other session initialization statements.
     *
     * @param statements the statements
     * @return the new login
     */
    public BackendLogin withSessionInit(List<String> statements) {
        return new BackendLogin(backend, database, user, credential, parameters, statements);
    }

    /**
     * A copy with other startup parameters.
     *
     * @param newParameters the parameters
     * @return the new login
     */
    public BackendLogin withParameters(Map<String, String> newParameters) {
        return new BackendLogin(backend, database, user, credential, newParameters, sessionInit);
    }
}
