package io.pgwarden.core.session;

import io.pgwarden.spi.RefusalContext;
import io.pgwarden.spi.SessionContext;

/**
 * A refusal as onRefused sees it.
 *
 * @param session the session
 * @param stage where it happened
 * @param refusedBy the refusing plugin's name, or {@code pgwarden}
 * @param authMethod the applying auth rule's method, or null
 * @param sqlState the SQLSTATE sent
 * @param message the message sent
 * @param sql the refused statement's text, or null
 */
record RefusalView(SessionContext session, Stage stage, String refusedBy, String authMethod, String sqlState,
                   String message, String sql) implements RefusalContext {

    /** Who refuses when it is not a plugin. */
    static final String PROXY = "pgwarden";
}
