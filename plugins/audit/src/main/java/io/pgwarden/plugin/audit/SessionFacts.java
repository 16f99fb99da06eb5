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
 */
record SessionFacts(String sessionId, InetSocketAddress client, String database, String user, Identity identity,
                    String backend, String backendUser) {

    /**
     * The same session after authentication.
     *
     * @param authenticated the identity
     * @param backendName the backend
     * @param loginUser the backend user
     * @return the facts with the identity
     */
    SessionFacts authenticated(Identity authenticated, String backendName, String loginUser) {
        return new SessionFacts(sessionId, client, database, user, authenticated, backendName, loginUser);
    }
}
