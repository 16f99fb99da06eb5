package io.pgwarden.plugin.audit;

import io.pgwarden.spi.Identity;
import java.net.InetSocketAddress;

/**
 * What every event of a session repeats: who connected from where, to which database, as whom.
 * Immutable, so events queued for the writer share one instance.
 *
 * @param sessionId the session id of the proxy's log
 * @param client the client's address
 * @param database the database the client asked for
 * @param user the user name of the startup message
 * @param identity the authenticated identity, or {@code null} before authentication
 * @param backend the backend name, or {@code null} before authentication
 * @param backendUser the database user the proxy logs in as, or {@code null} before authentication
 * @param backendRole the {@code role} parameter of the backend login when it differs from {@code backendUser},
 *                    otherwise {@code null}
 */
record SessionFacts(String sessionId, InetSocketAddress client, String database, String user, Identity identity,
                    String backend, String backendUser, String backendRole) {

    /**
     * Facts without a backend role.
     *
     * @param sessionId the session id
     * @param client the client's address
     * @param database the database
     * @param user the startup user
     * @param identity the identity, or {@code null}
     * @param backend the backend, or {@code null}
     * @param backendUser the backend user, or {@code null}
     */
    SessionFacts(String sessionId, InetSocketAddress client, String database, String user, Identity identity,
                 String backend, String backendUser) {
        this(sessionId, client, database, user, identity, backend, backendUser, null);
    }

    /**
     * The same session after authentication.
     *
     * @param authenticated the identity
     * @param backendName the backend
     * @param loginUser the backend user
     * @param loginRole the backend login's {@code role} parameter, or {@code null}; kept only when it differs
     *                  from {@code loginUser}
     * @return the facts with the identity
     */
    SessionFacts authenticated(Identity authenticated, String backendName, String loginUser, String loginRole) {
        String role = loginRole == null || loginRole.equals(loginUser) ? null : loginRole;
        return new SessionFacts(sessionId, client, database, user, authenticated, backendName, loginUser, role);
    }
}
