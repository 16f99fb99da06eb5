package io.pgwarden.plugin.oidc;

import io.pgwarden.spi.BackendLogin;

/**
 * How pgwarden logs in to the backend for a person: a rule option {@code strategy} picks one.
 */
interface LoginStrategy {

    /**
     * The name used in {@code strategy:} ({@code client-cert}, {@code service-account}).
     *
     * @return the name
     */
    String name();

    /**
     * The backend login for a person. May do CPU-bound work (key generation); never called on an
     * event loop.
     *
     * @param person the person
     * @param ruleDefault the rule's default login (backend, database, startup parameters)
     * @return the login, before identity propagation is added
     * @throws LoginRefusedException when no login exists for this person (no service account for
     *     their groups, say); the message is shown to the client with SQLSTATE 28000
     */
    BackendLogin login(PersonIdentity person, BackendLogin ruleDefault) throws LoginRefusedException;
}
