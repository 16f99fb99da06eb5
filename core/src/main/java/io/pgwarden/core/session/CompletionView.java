package io.pgwarden.core.session;

import io.pgwarden.spi.CompletionContext;
import io.pgwarden.spi.SessionContext;

/**
 * A statement's end as onComplete sees it.
 *
 * @param session the session
 * @param commandTag the tag, empty on error
 * @param errorSqlState the error's SQLSTATE or null
 * @param errorMessage the error's message or null
 */
record CompletionView(SessionContext session, String commandTag, String errorSqlState, String errorMessage)
        implements CompletionContext {
}
