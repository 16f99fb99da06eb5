package io.pgwarden.plugin.audit;

import io.pgwarden.spi.AuthContext;
import io.pgwarden.spi.BackendLogin;
import io.pgwarden.spi.CompletionContext;
import io.pgwarden.spi.Decision;
import io.pgwarden.spi.ExecuteContext;
import io.pgwarden.spi.Interceptor;
import io.pgwarden.spi.RefusalContext;
import io.pgwarden.spi.SessionContext;
import io.pgwarden.spi.StartupContext;
import java.time.Clock;
import java.util.Objects;

/**
 * Records session start, authentication success and failure, refusals, each statement's completion and session
 * end. The hooks only update the session's {@link SessionTrail} and enqueue one small {@link AuditEvent}: no I/O,
 * no lexing, never a wait. A statement is recorded from its completion alone (SPI 1.5), which carries its text, its
 * place in a simple query string, its duration and its Execute; so the plugin has no onQuery or onExecute, and the
 * proxy relays Queries, Parses and Executes without stopping them for it.
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
    public void onComplete(CompletionContext context) {
        SessionTrail trail = trail(context.session());
        if (trail == null) {
            return;
        }
        ExecuteContext execute = context.execute();
        queue.offer(new AuditEvent(AuditEvent.Type.STATEMENT, clock.millis(), trail.facts(), context.sql(),
                context.statementIndex(), execute != null, context.commandTag(), context.errorSqlState(), context.durationNanos(),
                execute == null ? null : parameters.apply(execute), context.notes(), null));
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
