package io.pgwarden.core.session;

import io.pgwarden.spi.CompletionContext;
import io.pgwarden.spi.ExecuteContext;
import io.pgwarden.spi.Note;
import io.pgwarden.spi.SessionContext;
import java.util.List;

/**
 * A statement's end as onComplete sees it.
 *
 * @param session the session
 * @param commandTag the tag, empty on error, EmptyQueryResponse and PortalSuspended
 * @param errorSqlState the error's SQLSTATE or null
 * @param errorMessage the error's message or null
 * @param execute the Execute it answers, or null for a statement of a simple query
 * @param notes what plugins and the proxy noted about the statement, in order
 * @param sql the Execute's statement text or the simple query string, or null when the completion answers neither
 * @param statementIndex which statement of a simple query string it ends, from 0; 0 for an Execute
 * @param durationNanos how long the statement took, or -1 when unknown
 */
record CompletionView(SessionContext session, String commandTag, String errorSqlState, String errorMessage,
                      ExecuteContext execute, List<Note> notes, String sql, int statementIndex, long durationNanos)
        implements CompletionContext {
}
