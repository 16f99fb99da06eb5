package io.pgwarden.spi;

import java.util.List;

/**
 * Hooks on every step of a client session. Every method has a no-op default; implement only
 * what the plugin needs. The core calls a hook only on interceptors that override it, so an
 * interceptor without {@link #onQuery} makes no statement text be decoded on its account.
 *
 * <p>One instance serves all sessions and is called from many event loops at once: keep
 * per-session state in {@link SessionContext#attributes()}.
 */
public interface Interceptor extends AutoCloseable {

    /**
     * Called after the client's StartupMessage, before authentication. May reject the client,
     * change startup parameters through the context, or {@link Decision#route route} the session
     * to a named backend.
     *
     * @param context the startup parameters and client facts
     * @return {@link Decision#proceed()}, {@link Decision#reject}, {@link Decision#route} or {@link Decision#later}
     */
    default Decision onStartup(StartupContext context) {
        return Decision.proceed();
    }

    /**
     * Called after an {@link Authenticator} accepted the client. May adjust the backend login
     * (database user, credential, session initialization) or reject the client.
     *
     * <p>Never called after the session's {@link #onSessionEnd}: when the client leaves (or its
     * auth time runs out) while an earlier interceptor's {@link Decision#later later} decision is
     * pending, the interceptors after it are not called. So whatever onAuth takes for the session,
     * onSessionEnd can give back.
     *
     * @param context the identity and the backend login chosen so far
     * @return {@link Decision#proceed()}, {@link Decision#reject} or {@link Decision#later}
     */
    default Decision onAuth(AuthContext context) {
        return Decision.proceed();
    }

    /**
     * Called for each statement the client sends: a simple Query, or a Parse of the extended
     * protocol. May reject it, rewrite its text, route it or answer it without the server.
     *
     * @param context the statement
     * @return any decision; see {@link Decision}
     */
    default Decision onQuery(QueryContext context) {
        return Decision.proceed();
    }

    /**
     * Called for each Execute of the extended protocol, in order, before it is forwarded, with
     * the statement text resolved from its Parse and the Bind's parameters. Observes only.
     *
     * @param context the Execute, also given later by {@link CompletionContext#execute()}
     * @since 1.4
     */
    default void onExecute(ExecuteContext context) {
    }

    /**
     * Called when a statement the server ran completes, with its command tag or its error: for
     * each statement of a simple query, and for each Execute (also when it ends in
     * EmptyQueryResponse or PortalSuspended, with an empty tag). Executes the server skipped
     * after an error up to Sync have no completion.
     *
     * @param context the outcome
     */
    default void onComplete(CompletionContext context) {
    }

    /**
     * Called after a client or a statement was refused, by a plugin, a failed authentication or
     * the proxy itself, once the refusal was sent. Called on every interceptor that overrides it,
     * including the refusing one and those after it in the chain. Observes only.
     *
     * @param context the refusal
     * @since 1.4
     */
    default void onRefused(RefusalContext context) {
    }

    /**
     * Offered each result set when its RowDescription arrives. Return a {@link RowInterceptor}
     * to see and change each of its rows, or {@code null} to let it stream untouched. Result sets
     * that no interceptor claims are forwarded byte for byte, without decoding.
     *
     * @param context the columns of the result set
     * @return the row interceptor for this result set, or {@code null}
     */
    default RowInterceptor claimResultSet(ResultSetContext context) {
        return null;
    }

    /**
     * Called for every protocol message after authentication, in both directions, before it is
     * forwarded. Overriding this makes the core inspect each message separately instead of
     * forwarding runs of them in one write, so it costs speed: use it for diagnostics.
     *
     * @param context the message, valid during the call only
     */
    default void onMessage(MessageContext context) {
    }

    /**
     * Called once when a session ends, however it ends.
     *
     * @param context the session
     */
    default void onSessionEnd(SessionContext context) {
    }

    /**
     * Authentication methods this interceptor provides, by name, for use in the auth rules
     * ({@code method: scram}).
     *
     * @return the authenticators; empty by default
     */
    default List<Authenticator> authenticators() {
        return List.of();
    }

    /** Releases what the interceptor holds. Called on shutdown and when a reload replaces it. */
    @Override
    default void close() {
    }
}
