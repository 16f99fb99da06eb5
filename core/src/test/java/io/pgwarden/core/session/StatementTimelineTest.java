package io.pgwarden.core.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pgwarden.core.admin.ByteCounter;
import io.pgwarden.core.admin.ProxyMeters;
import io.pgwarden.core.protocol.MessageType;
import java.util.List;
import org.junit.jupiter.api.Test;

class StatementTimelineTest {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final ProxyMeters meters = ProxyMeters.register(registry, () -> 0, () -> 0, List::of, new ByteCounter(),
            new ByteCounter());
    private final StatementTimeline timeline = new StatementTimeline(meters, false);
    private final StatementTimeline detailed = new StatementTimeline(meters, true);

    private static ExecuteView execute(String portal) {
        return new ExecuteView(null, "SELECT 1", "", portal, null, new StatementNotes());
    }

    private long count(String protocol) {
        Timer timer = registry.find("pgwarden.query.duration").tag("protocol", protocol).timer();
        return timer == null ? 0 : timer.count();
    }

    @Test
    void anExecuteEndsAfterTheAnswersToTheMessagesBeforeIt() {
        ExecuteView first = execute("a");
        timeline.sent(MessageType.PARSE);
        timeline.sent(MessageType.BIND);
        timeline.execute(first);
        timeline.sent(MessageType.SYNC);

        assertThat(timeline.completed()).as("a CommandComplete cannot answer a Parse").isNull();
        timeline.answered();
        timeline.answered();
        assertThat(timeline.completed()).isSameAs(first);
        assertThat(count("extended")).isEqualTo(1);
        timeline.readyForQuery();
        assertThat(timeline.idle()).isTrue();
        assertThat(count("simple")).isZero();
    }

    @Test
    void anErrorEndsTheFailingExecuteAndDropsTheSkippedOnesUpToSync() {
        ExecuteView first = execute("1");
        ExecuteView second = execute("2");
        ExecuteView third = execute("3");
        ExecuteView afterSync = execute("4");
        timeline.execute(first);
        timeline.execute(second);
        timeline.sent(MessageType.BIND);
        timeline.execute(third);
        timeline.sent(MessageType.SYNC);
        timeline.execute(afterSync);
        timeline.sent(MessageType.SYNC);

        assertThat(timeline.completed()).isSameAs(first);
        assertThat(timeline.failed()).isSameAs(second);
        timeline.readyForQuery();
        assertThat(timeline.completed()).isSameAs(afterSync);
        timeline.readyForQuery();
        assertThat(timeline.idle()).isTrue();
        assertThat(count("extended")).isEqualTo(3);
    }

    @Test
    void anErrorAnsweringABindBeforeAnExecuteEndsNoExecute() {
        timeline.sent(MessageType.BIND);
        timeline.execute(execute("x"));
        timeline.sent(MessageType.SYNC);

        assertThat(timeline.failed()).isNull();
        timeline.readyForQuery();
        assertThat(timeline.idle()).isTrue();
        assertThat(count("extended")).isZero();
    }

    @Test
    void aSimpleQueryEndsAtReadyForQueryAndItsStatementsSeeItsNotes() {
        StatementNotes notes = new StatementNotes();
        timeline.query(notes);
        timeline.answered(); // its RowDescription: no Describe is owed

        assertThat(timeline.completed()).isNull();
        assertThat(timeline.currentQueryNotes()).isSameAs(notes);
        assertThat(timeline.failed()).isNull();
        assertThat(timeline.currentQueryNotes()).as("an error inside a query keeps the query").isSameAs(notes);
        timeline.readyForQuery();
        assertThat(count("simple")).isEqualTo(1);
        assertThat(timeline.currentQueryNotes()).isNull();
    }

    @Test
    void aHiddenDescribeOfTheProxyIsAnsweredBeforeTheExecute() {
        timeline.sent(MessageType.PARSE);
        timeline.injected();
        ExecuteView view = execute("");
        timeline.sent(MessageType.BIND);
        timeline.execute(view);
        timeline.sent(MessageType.SYNC);
        timeline.answered(); // ParseComplete
        timeline.answered(); // the hidden Describe's RowDescription
        timeline.answered(); // BindComplete
        assertThat(timeline.completed()).isSameAs(view);
    }

    @Test
    void aLongPipelineGrowsTheQueueInOrder() {
        ExecuteView[] views = new ExecuteView[50];
        for (int i = 0; i < views.length; i++) {
            views[i] = execute("p" + i);
            timeline.execute(views[i]);
            if (i == 3) {
                assertThat(timeline.completed()).isSameAs(views[0]);
            }
        }
        timeline.sent(MessageType.SYNC);
        for (int i = 1; i < views.length; i++) {
            assertThat(timeline.completed()).isSameAs(views[i]);
        }
        timeline.readyForQuery();
        assertThat(timeline.idle()).isTrue();
    }

    @Test
    void withDetailEachStatementOfAQueryStringEndsWithItsTextIndexAndDuration() throws InterruptedException {
        detailed.query(null);
        detailed.queryText("SELECT 1; SELECT 2; SELECT 3");
        detailed.sent(MessageType.QUERY);
        detailed.queryText("SELECT 4");

        assertThat(detailed.completed()).isNull();
        assertThat(detailed.endedSql()).isEqualTo("SELECT 1; SELECT 2; SELECT 3");
        assertThat(detailed.endedIndex()).isZero();
        assertThat(detailed.endedNanos()).isNotNegative();
        Thread.sleep(2);
        assertThat(detailed.completed()).isNull();
        assertThat(detailed.endedIndex()).isEqualTo(1);
        assertThat(detailed.endedNanos()).as("from the end of the statement before").isGreaterThanOrEqualTo(2_000_000);
        assertThat(detailed.failed()).isNull();
        assertThat(detailed.endedIndex()).as("an error ends a statement too").isEqualTo(2);
        detailed.readyForQuery();

        detailed.completed();
        assertThat(detailed.endedSql()).isEqualTo("SELECT 4");
        assertThat(detailed.endedIndex()).isZero();
        detailed.readyForQuery();
        assertThat(detailed.idle()).isTrue();
    }

    @Test
    void withDetailAnExecuteEndsWithItsStatementTextAndAnErrorAnsweringAParseWithNone() {
        detailed.sent(MessageType.PARSE);
        detailed.sent(MessageType.BIND);
        detailed.execute(execute("a"));
        detailed.sent(MessageType.SYNC);

        assertThat(detailed.failed()).as("a syntax error answers the Parse").isNull();
        assertThat(detailed.endedSql()).isNull();
        assertThat(detailed.endedNanos()).isEqualTo(-1);
        detailed.readyForQuery();

        ExecuteView view = execute("b");
        detailed.execute(view);
        detailed.sent(MessageType.SYNC);
        assertThat(detailed.completed()).isSameAs(view);
        assertThat(detailed.endedSql()).isEqualTo("SELECT 1");
        assertThat(detailed.endedIndex()).isZero();
        assertThat(detailed.endedNanos()).isNotNegative();
    }

    @Test
    void withoutDetailNoTextIsKept() {
        assertThat(timeline.detailed()).isFalse();
        assertThat(detailed.detailed()).isTrue();
        timeline.sent(MessageType.QUERY);
        timeline.queryText("SELECT 1");

        timeline.completed();
        assertThat(timeline.endedSql()).isNull();
        assertThat(timeline.endedNanos()).isEqualTo(-1);
    }

    @Test
    void queryTextsSurviveTheQueueGrowing() {
        detailed.execute(execute("x"));
        for (int i = 0; i < 20; i++) {
            detailed.sent(MessageType.QUERY);
            detailed.queryText("SELECT 'q" + i + "'");
        }
        assertThat(detailed.completed()).isNotNull();
        assertThat(detailed.endedSql()).as("the Execute's statement").isEqualTo("SELECT 1");
        for (int i = 0; i < 20; i++) {
            detailed.completed();
            assertThat(detailed.endedSql()).isEqualTo("SELECT 'q" + i + "'");
            detailed.readyForQuery();
        }
    }
}
