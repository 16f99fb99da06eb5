package io.pgwarden.plugin.audit;

import io.pgwarden.spi.AuthContext;
import io.pgwarden.spi.BackendLogin;
import io.pgwarden.spi.CompletionContext;
import io.pgwarden.spi.Decision;
import io.pgwarden.spi.ExecuteContext;
import io.pgwarden.spi.Interceptor;
import io.pgwarden.spi.Note;
import io.pgwarden.spi.QueryContext;
import io.pgwarden.spi.RefusalContext;
import io.pgwarden.spi.SessionContext;
import io.pgwarden.spi.StartupContext;
import java.time.Clock;
import java.util.List;
import java.util.Objects;

/**
 * Records session start, authentication success and failure, refusals, each statement's completion and session
 * end. The hooks only update the session's {@link SessionTrail} and enqueue one small {@link AuditEvent}: no I/O,
 * no lexing beyond counting the statements of a simple query, never a wait.
 */
final class AuditInterceptor implements Interceptor {

    private final String attribute;
    private final AuditQueue queue;
    private final AuditWriter writer;
    private final Clock clock;
    private final ParameterPolicy parameters;

    /**
     * An interceptor whose writer is running.
     *
     * @param attribute the session attribute of its trail, unique per plugin entry
     * @param queue where events go
     * @param writer closed with the interceptor
     * @param clock the time of events
     * @param parameters what statement events say about an Execute's parameters
     */
    AuditInterceptor(String attribute, AuditQueue queue, AuditWriter writer, Clock clock, ParameterPolicy parameters) {
        this.attribute = Objects.requireNonNull(attribute, "attribute");
        this.queue = Objects.requireNonNull(queue, "queue");
        this.writer = Objects.requireNonNull(writer, "writer");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.parameters = Objects.requireNonNull(parameters, "parameters");
    }

    @Override
    public Decision onStartup(StartupContext context) {
        SessionFacts facts = startupFacts(context);
        context.attributes().put(attribute, new SessionTrail(facts, System.nanoTime()));
        queue.offer(AuditEvent.of(AuditEvent.Type.SESSION_START, clock.millis(), facts, -1));
        return Decision.proceed();
    }

    @Override
    public Decision onAuth(AuthContext context) {
        SessionTrail trail = trail(context);
        if (trail != null) {
            BackendLogin login = context.login();
            trail.facts(trail.facts().authenticated(context.authenticatedIdentity(), login.backend(), login.user(),
                    login.parameters().get("role")));
            queue.offer(AuditEvent.of(AuditEvent.Type.AUTH_SUCCESS, clock.millis(), trail.facts(), -1));
        }
        return Decision.proceed();
    }

    @Override
    public Decision onQuery(QueryContext context) {
        SessionTrail trail = trail(context.session());
        if (trail != null && context.kind() == QueryContext.Kind.SIMPLE) {
            String sql = context.sql();
            trail.sent(sql, SqlText.count(sql), System.nanoTime());
        }
        return Decision.proceed();
    }

    @Override
    public void onExecute(ExecuteContext context) {
        SessionTrail trail = trail(context.session());
        if (trail != null) {
            trail.executing(context, parameters.apply(context.parameters()), System.nanoTime());
        }
    }

    @Override
    public void onComplete(CompletionContext context) {
        SessionTrail trail = trail(context.session());
        if (trail == null) {
            return;
        }
        long now = System.nanoTime();
        List<Note> notes = context.notes();
        ExecuteContext execute = context.execute();
        queue.offer(execute == null
                ? trail.completed(clock.millis(), context.commandTag(), context.errorSqlState(), notes, now)
                : trail.executed(clock.millis(), execute, context.commandTag(), context.errorSqlState(), notes, now));
    }

    @Override
    public void onRefused(RefusalContext context) {
        SessionTrail trail = trail(context.session());
        SessionFacts facts = trail == null ? startupFacts(context.session()) : trail.facts();
        AuditEvent.Refusal refusal = new AuditEvent.Refusal(context.refusedBy(), context.stage(), context.authMethod());
        String sql = context.stage() == RefusalContext.Stage.QUERY ? context.sql() : null;
        queue.offer(AuditEvent.refused(clock.millis(), facts, refusal, context.sqlState(), sql));
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

    private static SessionFacts startupFacts(SessionContext session) {
        return new SessionFacts(session.sessionId(), session.client().address(), session.startupParameters().get("database"),
                session.startupParameters().get("user"), null, null, null);
    }

    private SessionTrail trail(SessionContext session) {
        return session.attributes().get(attribute) instanceof SessionTrail trail ? trail : null;
    }
}
