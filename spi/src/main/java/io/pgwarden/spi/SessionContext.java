package io.pgwarden.spi;

import java.util.Map;
import java.util.Optional;

/**
 * One client session, as every hook sees it.
 */
public interface SessionContext {

    /**
     * A short id that appears on every log line of this session.
     *
     * @return the session id
     */
    String sessionId();

    /**
     * Who connected and how.
     *
     * @return the client facts
     */
    ClientInfo client();

    /**
     * The startup parameters the client sent ({@code user}, {@code database},
     * {@code application_name}, ...), after any onStartup changes. Read-only.
     *
     * @return the parameters
     */
    Map<String, String> startupParameters();

    /**
     * The authenticated identity; empty before authentication succeeds.
     *
     * @return the identity
     */
    Optional<Identity> identity();

    /**
     * Per-session storage for plugins, shared by all interceptors of the session. Use keys
     * prefixed with the plugin type. Only the session's event loop touches it.
     *
     * @return the mutable attribute map
     */
    Map<String, Object> attributes();
}
