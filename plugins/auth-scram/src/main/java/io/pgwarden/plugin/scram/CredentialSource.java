package io.pgwarden.plugin.scram;

import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * Where the plugin finds a user's stored secret: the userlist file or an auth_query. Lookups may
 * do I/O; they never run on the caller's thread when they do.
 */
interface CredentialSource extends AutoCloseable {

    /**
     * Looks a user up.
     *
     * @param backend the backend of the auth rule that applies (for side connections)
     * @param database the database the client asked for
     * @param user the user name from the startup packet
     * @return completes with the secret, or empty when this source does not know the user (or
     *     knows it without a usable password); fails when the source cannot answer (a database
     *     that is down), which is not the same as an unknown user
     */
    CompletionStage<Optional<StoredSecret>> lookup(String backend, String database, String user);

    /** Stops background work (file watching, caches). */
    @Override
    void close();
}
