package io.pgwarden.spi;

import java.util.List;

/**
 * One Execute of the extended protocol, with the statement and parameters it runs. Given to
 * {@link Interceptor#onExecute} when the Execute arrives, and again by
 * {@link CompletionContext#execute()} when the server completes it (the same instance).
 *
 * @since 1.4
 */
public interface ExecuteContext {

    /**
     * The session.
     *
     * @return the session
     */
    SessionContext session();

    /**
     * The text of the prepared statement the portal was bound from, as the server received it
     * (after rewrites by plugins), resolved from its Parse; {@code null} when the proxy does not
     * know it.
     *
     * @return the statement text or null
     */
    String sql();

    /**
     * The prepared statement's name as the client gave it; empty for the unnamed statement.
     *
     * @return the name
     */
    String statementName();

    /**
     * The portal's name as the client gave it; empty for the unnamed portal.
     *
     * @return the name
     */
    String portalName();

    /**
     * The number of parameters of the Bind that created the portal.
     *
     * @return the count
     */
    int parameterCount();

    /**
     * The Bind's parameter values, decoded when called: text-format values as text (UTF-8),
     * binary-format values as {@code \x} followed by lowercase hex, SQL NULL as {@code null}.
     * Values are secrets as often as not: never log them unredacted by default.
     *
     * @return the values, in order
     */
    List<String> parameters();

    /**
     * Whether a parameter of the Bind is SQL NULL, without decoding the values: for a plugin that
     * tells which parameters were given but never what they were. The proxy answers from the Bind
     * as it arrived; the default, for other implementations, looks at {@link #parameters()}.
     *
     * @param index the parameter's position, from 0
     * @return true when it is NULL
     * @throws IndexOutOfBoundsException when {@code index} is not below {@link #parameterCount()}
     * @since 1.6
     */
    default boolean parameterIsNull(int index) {
        return parameters().get(index) == null;
    }
}
