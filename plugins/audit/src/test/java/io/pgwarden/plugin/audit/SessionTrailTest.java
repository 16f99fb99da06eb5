package io.pgwarden.plugin.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

class SessionTrailTest {

    private final SessionTrail trail = new SessionTrail(
            new SessionFacts("s1", new InetSocketAddress("127.0.0.1", 5000), "db", "alice", null, null, null), 0);

    @Test
    void eachStatementOfASimpleQueryGetsItsOwnCompletion() {
        trail.sent("SELECT 1; UPDATE t SET a = 2", false, 2, 100);

        AuditEvent first = trail.completed(1, "SELECT 1", null, 150);
        AuditEvent second = trail.completed(2, "UPDATE 3", null, 400);
        AuditEvent stray = trail.completed(3, "SELECT 1", null, 500);

        assertThat(first.statementIndex()).isZero();
        assertThat(first.durationNanos()).isEqualTo(50);
        assertThat(second.sql()).isEqualTo("SELECT 1; UPDATE t SET a = 2");
        assertThat(second.statementIndex()).isEqualTo(1);
        assertThat(second.durationNanos()).isEqualTo(250);
        assertThat(stray.sql()).isNull();
        assertThat(stray.durationNanos()).isNegative();
    }

    @Test
    void anErrorEndsTheRestOfASimpleQueryString() {
        trail.sent("SELECT 1/0; SELECT 2", false, 2, 0);
        trail.sent("SELECT 3", false, 1, 10);

        assertThat(trail.completed(1, "", "22012", 20).statementIndex()).isZero();
        assertThat(trail.completed(2, "SELECT 1", null, 30).sql()).isEqualTo("SELECT 3");
    }

    @Test
    void aParseIsGivenItsFirstCompletionOnly() {
        trail.sent("SELECT $1", true, 1, 0);
        trail.sent("UPDATE t SET a = $1", true, 1, 0);

        assertThat(trail.completed(1, "SELECT 1", null, 5).sql()).isEqualTo("SELECT $1");
        assertThat(trail.completed(2, "UPDATE 1", null, 6).sql()).isEqualTo("UPDATE t SET a = $1");
        AuditEvent unknown = trail.completed(3, "UPDATE 1", null, 7);
        assertThat(unknown.sql()).isNull();
        assertThat(unknown.durationNanos()).isNegative();
    }

    @Test
    void anExtendedErrorForgetsTheParsesTheServerWillSkip() {
        trail.sent("INSERT INTO t VALUES ($1)", true, 1, 0);
        trail.sent("SELECT $1", true, 1, 0);

        assertThat(trail.completed(1, "", "23505", 5).sql()).isEqualTo("INSERT INTO t VALUES ($1)");
        assertThat(trail.completed(2, "SELECT 1", null, 6).sql()).isNull();
    }

    @Test
    void emptyQueryStringsWaitForNothingAndThePendingListIsBounded() {
        trail.sent(";", false, 0, 0);
        assertThat(trail.completed(1, "SELECT 1", null, 1).sql()).isNull();

        for (int i = 0; i <= SessionTrail.MAX_PENDING; i++) {
            trail.sent("SELECT " + i, true, 1, 0);
        }
        assertThat(trail.completed(2, "SELECT 1", null, 1).sql()).isEqualTo("SELECT 1");
    }
}
