package io.pgwarden.spi;

import java.util.concurrent.CompletionStage;

/**
 * An authentication method, named in the auth rules ({@code method: trust}). The core owns the
 * protocol messages and their order; the authenticator asks for what it needs through the
 * {@link AuthExchange} and decides.
 *
 * <p>An authenticator must answer the same way, in the same number of steps and with the same
 * message, whether a user exists or not.
 */
public interface Authenticator {

    /**
     * The method name used in auth rules.
     *
     * @return the name, e.g. {@code trust}
     */
    String method();

    /**
     * Authenticates one client.
     *
     * @param exchange the conversation with the client
     * @return completes with the outcome; a stage that fails is reported as an internal error
     */
    CompletionStage<AuthOutcome> authenticate(AuthExchange exchange);
}
