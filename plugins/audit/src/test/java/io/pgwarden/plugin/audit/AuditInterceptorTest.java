package io.pgwarden.plugin.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.pgwarden.spi.BackendLogin;
import io.pgwarden.spi.Credential;
import io.pgwarden.spi.Identity;
import io.pgwarden.spi.Note;
import io.pgwarden.spi.RefusalContext;
import io.pgwarden.testkit.spi.TestSession;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The hooks, driven as the core drives them; the events they queue are read back from the queue. */
class AuditInterceptorTest {

    @TempDir
    Path dir;

    private final TestServices services = new TestServices();
    private final AuditQueue queue = new AuditQueue(100, 1L << 20, services.counter("pgwarden.audit.dropped"), services.logger(),
            services.clock());
    private final TestSession session = TestSession.of("alice", "app", new InetSocketAddress("127.0.0.1", 5000), false);
    private AuditInterceptor interceptor;

    private AuditInterceptor interceptor(ParameterPolicy policy) {
        ChainedFile file = new ChainedFile(dir.resolve("audit.jsonl"), "test", 1 << 20, 3_600_000, 1000, 60_000,
                "interceptor-test-key-0123".getBytes(StandardCharsets.UTF_8), 0);
        DropReport drops = new DropReport(file.name(), services.counter("pgwarden.audit.dropped"), services.logger(),
                services.clock());
        AuditWriter writer = new AuditWriter(queue, new EventJson(false), Map.of(file, drops), services.logger(),
                services.clock());
        interceptor = new AuditInterceptor("audit.trail.test", queue, writer, services.clock(), policy);
        return interceptor;
    }

    @AfterEach
    void close() {
        if (interceptor != null) {
            interceptor.close();
        }
    }

    private List<AuditEvent> drained() {
        List<AuditEvent> events = new ArrayList<>();
        for (AuditEvent event = queue.poll(); event != null; event = queue.poll()) {
            events.add(event);
        }
        return events;
    }

    private void started(AuditInterceptor audit) {
        audit.onStartup(new FakeContexts.Startup(session));
        BackendLogin login = new BackendLogin("primary", "app", "svc_app", Credential.none(), Map.of("role", "reporting"), List.of());
        audit.onAuth(new FakeContexts.Auth(session, Identity.ofUser("alice", "scram-sha-256"), login));
    }

    @Test
    void anExecuteIsAuditedWithItsStatementRedactedParametersAndNotes() {
        AuditInterceptor audit = interceptor(new ParameterPolicy(ParameterPolicy.Mode.REDACTED, 256));
        started(audit);
        FakeContexts.Execute execute = new FakeContexts.Execute(session, "ALTER ROLE x PASSWORD $1",
                Arrays.asList("literal-secret", null));

        audit.onComplete(FakeContexts.Completion.of(execute, "ALTER ROLE", List.of(new Note("pgwarden", "route", "primary")),
                42_000));

        List<AuditEvent> events = drained();
        assertThat(events).extracting(AuditEvent::type).containsExactly(AuditEvent.Type.SESSION_START,
                AuditEvent.Type.AUTH_SUCCESS, AuditEvent.Type.STATEMENT);
        AuditEvent statement = events.get(2);
        assertThat(statement.session().backendRole()).isEqualTo("reporting");
        assertThat(statement.sql()).isEqualTo("ALTER ROLE x PASSWORD $1");
        assertThat(statement.parameters()).containsExactly("?", null);
        assertThat(statement.notes()).containsExactly(new Note("pgwarden", "route", "primary"));
        assertThat(statement.extended()).isTrue();
        assertThat(statement.durationNanos()).isEqualTo(42_000);
        assertThat(new EventJson(false).render(statement).toString()).doesNotContain("literal-secret");
    }

    @Test
    void withValuesTheParametersAreKeptCut() {
        AuditInterceptor audit = interceptor(new ParameterPolicy(ParameterPolicy.Mode.VALUES, 3));
        started(audit);
        FakeContexts.Execute execute = new FakeContexts.Execute(session, "SELECT $1", List.of("abcdef"));

        audit.onComplete(FakeContexts.Completion.of(execute, "SELECT 1", List.of(), 1));

        assertThat(drained().get(2).parameters()).containsExactly("abc…(6 chars)");
    }

    @Test
    void eachStatementOfASimpleQueryIsAnEventWithItsPlaceAndAnErrorAnsweringAParseHasNoText() {
        AuditInterceptor audit = interceptor(new ParameterPolicy(ParameterPolicy.Mode.REDACTED, 256));
        started(audit);
        drained();

        audit.onComplete(new FakeContexts.Completion(session, null, "SELECT 1", null, List.of(), "SELECT 1; SELECT 2", 0, 10));
        audit.onComplete(new FakeContexts.Completion(session, null, "", "22012", List.of(), "SELECT 1; SELECT 2", 1, 20));
        audit.onComplete(new FakeContexts.Completion(session, null, "", "42601", List.of(), null, 0, -1));

        assertThat(drained()).extracting(AuditEvent::sql, AuditEvent::statementIndex, AuditEvent::extended,
                AuditEvent::sqlState, AuditEvent::durationNanos, AuditEvent::parameters).containsExactly(
                tuple("SELECT 1; SELECT 2", 0, false, null, 10L, null),
                tuple("SELECT 1; SELECT 2", 1, false, "22012", 20L, null),
                tuple(null, 0, false, "42601", -1L, null));
    }

    @Test
    void theAuditHooksAreTheCompletionAndTheSessionOnesNotQueriesOrExecutes() {
        List<String> declared = Arrays.stream(AuditInterceptor.class.getDeclaredMethods()).map(Method::getName).toList();

        assertThat(declared).contains("onComplete", "onStartup", "onAuth", "onRefused", "onSessionEnd");
        assertThat(declared).as("onQuery and onExecute would stop every Query, Parse and Execute in the proxy")
                .doesNotContain("onQuery", "onExecute", "onMessage");
    }

    @Test
    void aFailedLoginAndARefusedStatementBecomeEventsOfTheirOwnWithoutTheMessage() {
        AuditInterceptor audit = interceptor(new ParameterPolicy(ParameterPolicy.Mode.REDACTED, 256));
        audit.onStartup(new FakeContexts.Startup(session));
        audit.onRefused(new FakeContexts.Refusal(session, RefusalContext.Stage.AUTH, "pgwarden", "scram-sha-256", "28P01",
                "password authentication failed for user \"alice\"", null));
        audit.onRefused(new FakeContexts.Refusal(session, RefusalContext.Stage.QUERY, "firewall", "scram-sha-256", "42501",
                "DROP is not allowed: 'x'", "DROP TABLE t"));

        List<AuditEvent> events = drained();
        assertThat(events).extracting(AuditEvent::type).containsExactly(AuditEvent.Type.SESSION_START,
                AuditEvent.Type.AUTH_FAILURE, AuditEvent.Type.REFUSAL);
        assertThat(events.get(1).refusal()).isEqualTo(new AuditEvent.Refusal("pgwarden", RefusalContext.Stage.AUTH, "scram-sha-256"));
        assertThat(events.get(1).sql()).isNull();
        assertThat(events.get(2).sql()).isEqualTo("DROP TABLE t");
        String json = new EventJson(false).render(events.get(2)).toString();
        assertThat(json).contains("\"refused_by\":\"firewall\"").doesNotContain("not allowed");
    }

    @Test
    void aRefusalBeforeTheSessionWasSeenStillNamesTheClient() {
        AuditInterceptor audit = interceptor(new ParameterPolicy(ParameterPolicy.Mode.REDACTED, 256));
        audit.onRefused(new FakeContexts.Refusal(session, RefusalContext.Stage.STARTUP, "limits", null, "53300",
                "too many connections", null));

        AuditEvent refusal = drained().get(0);
        assertThat(refusal.type()).isEqualTo(AuditEvent.Type.REFUSAL);
        assertThat(refusal.session().user()).isEqualTo("alice");
        assertThat(refusal.session().sessionId()).isEqualTo("s-test");
    }
}
