package io.pgwarden.plugin.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgwarden.spi.ExecuteContext;
import io.pgwarden.spi.Note;
import io.pgwarden.testkit.spi.TestSession;
import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

class SessionTrailTest {

    private static final TestSession SESSION = TestSession.of("alice", "db", new InetSocketAddress("127.0.0.1", 5000), false);

    private final SessionTrail trail = new SessionTrail(
            new SessionFacts("s1", new InetSocketAddress("127.0.0.1", 5000), "db", "alice", null, null, null), 0);

    private static ExecuteContext execute(String sql, String... parameters) {
        return new FakeContexts.Execute(SESSION, sql, List.of(parameters));
    }

    @Test
    void eachStatementOfASimpleQueryGetsItsOwnCompletion() {
        trail.sent("SELECT 1; UPDATE t SET a = 2", 2, 100);

        AuditEvent first = trail.completed(1, "SELECT 1", null, List.of(), 150);
        AuditEvent second = trail.completed(2, "UPDATE 3", null, List.of(), 400);
        AuditEvent stray = trail.completed(3, "SELECT 1", null, List.of(), 500);

        assertThat(first.statementIndex()).isZero();
        assertThat(first.durationNanos()).isEqualTo(50);
        assertThat(first.extended()).isFalse();
        assertThat(first.parameters()).isNull();
        assertThat(second.sql()).isEqualTo("SELECT 1; UPDATE t SET a = 2");
        assertThat(second.statementIndex()).isEqualTo(1);
        assertThat(second.durationNanos()).isEqualTo(250);
        assertThat(stray.sql()).isNull();
        assertThat(stray.durationNanos()).isNegative();
    }

    @Test
    void anErrorEndsTheRestOfASimpleQueryString() {
        trail.sent("SELECT 1/0; SELECT 2", 2, 0);
        trail.sent("SELECT 3", 1, 10);

        assertThat(trail.completed(1, "", "22012", List.of(), 20).statementIndex()).isZero();
        assertThat(trail.completed(2, "SELECT 1", null, List.of(), 30).sql()).isEqualTo("SELECT 3");
    }

    @Test
    void anExecuteCompletionGetsItsOwnTextParametersAndDurationFromItsArrival() {
        ExecuteContext first = execute("SELECT $1", "1");
        ExecuteContext again = execute("SELECT $1", "2");
        trail.executing(first, List.of("?"), 100);
        trail.executing(again, List.of("?"), 300);

        AuditEvent one = trail.executed(1, first, "SELECT 1", null, List.of(), 350);
        AuditEvent two = trail.executed(2, again, "SELECT 1", null, List.of(new Note("router", "route", "replica")), 700);

        assertThat(one.sql()).isEqualTo("SELECT $1");
        assertThat(one.extended()).isTrue();
        assertThat(one.durationNanos()).isEqualTo(250);
        assertThat(one.parameters()).containsExactly("?");
        assertThat(two.durationNanos()).isEqualTo(400);
        assertThat(two.notes()).containsExactly(new Note("router", "route", "replica"));
    }

    @Test
    void executesTheServerSkippedAfterAnErrorAreForgottenWithTheNextCompletion() {
        ExecuteContext failing = execute("INSERT INTO t VALUES ($1)", "1");
        ExecuteContext skipped = execute("SELECT $1", "2");
        ExecuteContext next = execute("SELECT 2");
        trail.executing(failing, List.of("?"), 0);
        trail.executing(skipped, List.of("?"), 0);

        assertThat(trail.executed(1, failing, "", "23505", List.of(), 5).sqlState()).isEqualTo("23505");
        trail.executing(next, List.of(), 10);
        assertThat(trail.executed(2, next, "SELECT 1", null, List.of(), 15).durationNanos()).isEqualTo(5);
        AuditEvent late = trail.executed(3, skipped, "SELECT 1", null, List.of(), 20);
        assertThat(late.parameters()).isNull();
        assertThat(late.durationNanos()).isNegative();
    }

    @Test
    void anExecuteThePluginDidNotSeeHasItsTextButNoParametersOrDuration() {
        ExecuteContext seen = execute("SELECT 1");
        trail.executing(seen, List.of(), 0);

        AuditEvent unseen = trail.executed(1, execute("SELECT $1", "x"), "SELECT 1", null, List.of(), 5);

        assertThat(unseen.sql()).isEqualTo("SELECT $1");
        assertThat(unseen.parameters()).isNull();
        assertThat(unseen.durationNanos()).isNegative();
        assertThat(trail.executed(2, seen, "SELECT 1", null, List.of(), 9).durationNanos()).isEqualTo(9);
    }

    @Test
    void anErrorAnsweringAParseWhileExecutesWaitIsExtendedWithoutText() {
        ExecuteContext failing = execute("SELEC $1", "1");
        trail.executing(failing, List.of("?"), 0);

        AuditEvent parseError = trail.completed(1, "", "42601", List.of(), 5);

        assertThat(parseError.extended()).isTrue();
        assertThat(parseError.sql()).isNull();
        assertThat(parseError.sqlState()).isEqualTo("42601");
        assertThat(trail.completed(2, "", "42601", List.of(), 6).extended()).isTrue();
        trail.executed(3, failing, "", "57014", List.of(), 7);
        assertThat(trail.completed(4, "", "42601", List.of(), 8).extended()).isFalse();
    }

    @Test
    void emptyQueryStringsWaitForNothingAndThePendingListsAreBounded() {
        trail.sent(";", 0, 0);
        assertThat(trail.completed(1, "SELECT 1", null, List.of(), 1).sql()).isNull();

        for (int i = 0; i <= SessionTrail.MAX_PENDING; i++) {
            trail.sent("SELECT " + i, 1, 0);
        }
        assertThat(trail.completed(2, "SELECT 1", null, List.of(), 1).sql()).isEqualTo("SELECT 1");

        ExecuteContext oldest = execute("SELECT 0");
        trail.executing(oldest, List.of(), 0);
        for (int i = 0; i < SessionTrail.MAX_PENDING; i++) {
            trail.executing(execute("SELECT 1"), List.of(), 0);
        }
        assertThat(trail.executed(3, oldest, "SELECT 1", null, List.of(), 1).durationNanos()).isNegative();
    }
}
