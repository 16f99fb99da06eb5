package io.pgwarden.plugin.audit;

import io.pgwarden.spi.AuthContext;
import io.pgwarden.spi.BackendLogin;
import io.pgwarden.spi.CompletionContext;
import io.pgwarden.spi.Decision;
import io.pgwarden.spi.Interceptor;
import io.pgwarden.spi.QueryContext;
import io.pgwarden.spi.SessionContext;
import io.pgwarden.spi.StartupContext;
import java.time.Clock;
import java.util.Objects;

/**
 * Records session start, authentication success, each statement's completion and session end. The hooks only
 * update the session's {@link SessionTrail} and enqueue one small {@link AuditEvent}: no I/O, no lexing beyond
 * counting the statements of a simple query, never a wait.
 */
final class AuditInterceptor implements Interceptor {

    private final String attribute;
    private final AuditQueue queue;
    private final AuditWriter writer;
    private final Clock clock;

    /**
     * An interceptor whose writer is running.
     *
     * @param attribute the session attribute of its trail, unique per plugin entry
     * @param queue where events go
     * @param writer closed with the interceptor
     * @param clock the time of events
     */
    AuditInterceptor(String attribute, AuditQueue queue, AuditWriter writer, Clock clock) {
        this.attribute = Objects.requireNonNull(attribute, "attribute");
        this.queue = Objects.requireNonNull(queue, "queue");
        this.writer = Objects.requireNonNull(writer, "writer");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public Decision onStartup(StartupContext context) {
        SessionFacts facts = new SessionFacts(context.sessionId(), context.client().address(),
                context.startupParameters().get("database"), context.startupParameters().get("user"), null, null, null);
        context.attributes().put(attribute, new SessionTrail(facts, System.nanoTime()));
        queue.offer(AuditEvent.of(AuditEvent.Type.SESSION_START, clock.millis(), facts, -1));
        return Decision.proceed();
    }

    @Override
    public Decision onAuth(AuthContext context) {
        SessionTrail trail = trail(context);
        if (trail != null) {
            BackendLogin login = context.login();
            trail.facts(trail.facts().authenticated(context.authenticatedIdentity(), login.backend(), login.user()));
            queue.offer(AuditEvent.of(AuditEvent.Type.AUTH_SUCCESS, clock.millis(), trail.facts(), -1));
        }
        return Decision.proceed();
    }

    @Override
    public Decision onQuery(QueryContext context) {
        SessionTrail trail = trail(context.session());
        if (trail != null) {
            String sql = context.sql();
            boolean extended = context.kind() == QueryContext.Kind.PARSE;
            trail.sent(sql, extended, extended ? 1 : SqlText.count(sql), System.nanoTime());
        }
        return Decision.proceed();
    }

    @Override
    public void onComplete(CompletionContext context) {
        SessionTrail trail = trail(context.session());
        if (trail != null) {
            queue.offer(trail.completed(clock.millis(), context.commandTag(), context.errorSqlState(), System.nanoTime()));
        }
    }

    @Override
    public void onSessionEnd(SessionContext context) {
        SessionTrail trail = trail(context);
        if (trail != null) {
            queue.offer(AuditEvent.of(AuditEvent.Type.SESSION_END, clock.millis(), trail.facts(), System.nanoTime() - trail.startNanos()));
        }
    }

    /** Stops the writer after it has written the queued events. */
    @Override
    public void close() {
        writer.close();
    }

    private SessionTrail trail(SessionContext session) {
        return session.attributes().get(attribute) instanceof SessionTrail trail ? trail : null;
    }
}
