package io.pgwarden.core.session;

import io.pgwarden.spi.Decision;

/**
 * A statement the proxy replaced so that the server produces the answer an interceptor decided,
 * in the right place of the stream and with the server's transaction semantics. The server's
 * answer is then changed on its way back to the client.
 */
sealed interface Substitution permits Substitution.Rejection, Substitution.Response {

    /** The synchronization group the substituted statement belongs to. */
    long group();

    /**
     * A rejected statement, replaced by one that fails at parse analysis with a unique token in
     * its message; the failure is replaced by the interceptor's error. Failing on the server keeps
     * the protocol's rules: an error aborts the transaction and skips the rest until Sync.
     *
     * @param group the group
     * @param token the unique text the server's error message contains
     * @param reject the interceptor's decision
     * @param refusedBy the refusing plugin's name, or {@code pgwarden}, for onRefused
     * @param sql the refused statement's text, or null, for onRefused
     */
    record Rejection(long group, String token, Decision.Reject reject, String refusedBy, String sql) implements Substitution {
    }

    /**
     * A statement an interceptor answered itself, replaced by a query that returns its rows; the
     * server's command tag is replaced by the interceptor's.
     *
     * @param group the group
     * @param commandTag the tag to send
     */
    record Response(long group, String commandTag) implements Substitution {
    }
}
