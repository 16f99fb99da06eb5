package io.pgwarden.core.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgwarden.core.protocol.backend.RowDescription;
import java.util.List;
import org.junit.jupiter.api.Test;

class ExtendedQueryTrackerTest {

    private static final RowDescription COLUMNS = new RowDescription(List.of(
            RowDescription.Field.text("id", 23, (short) 4), RowDescription.Field.text("secret", 25, (short) -1)));

    @Test
    void statementDescribedOnceGivesItsColumnsToLaterExecutesWithBindFormats() {
        ExtendedQueryTracker tracker = new ExtendedQueryTracker();
        tracker.parse("s1");
        tracker.describe(true, "s1");
        tracker.synchronize(ExtendedQueryTracker.Kind.SYNC);
        tracker.parseComplete();
        assertThat(tracker.rowDescription(COLUMNS)).as("answers the Describe").isEqualTo(ExtendedQueryTracker.Described.ANSWER);
        tracker.readyForQuery('I');

        tracker.bind("", "s1", List.of((short) 1));
        tracker.execute("");
        tracker.synchronize(ExtendedQueryTracker.Kind.SYNC);
        tracker.bindComplete();
        RowDescription columns = tracker.executeColumns();
        assertThat(columns.fields()).extracting(RowDescription.Field::formatCode).containsExactly((short) 1, (short) 1);
        assertThat(tracker.executeColumns()).as("offered once per Execute").isNull();
    }

    @Test
    void errorSkipsToSyncSoLaterAnswersStayMatched() {
        ExtendedQueryTracker tracker = new ExtendedQueryTracker();
        tracker.parse("bad");
        tracker.bind("", "bad", List.of());
        tracker.execute("");
        tracker.synchronize(ExtendedQueryTracker.Kind.SYNC);
        tracker.error();
        tracker.readyForQuery('I');

        tracker.parse("s2");
        tracker.describe(false, "p");
        tracker.synchronize(ExtendedQueryTracker.Kind.SYNC);
        tracker.parseComplete();
        assertThat(tracker.rowDescription(COLUMNS)).isEqualTo(ExtendedQueryTracker.Described.ANSWER);
    }

    @Test
    void simpleQueryRowDescriptionStartsAResultSetInPlace() {
        ExtendedQueryTracker tracker = new ExtendedQueryTracker();
        tracker.synchronize(ExtendedQueryTracker.Kind.QUERY);
        assertThat(tracker.rowDescription(COLUMNS)).isEqualTo(ExtendedQueryTracker.Described.RESULT_SET);
        tracker.error();
        assertThat(tracker.rowDescription(COLUMNS)).as("an error inside a Query does not skip the Query")
                .isEqualTo(ExtendedQueryTracker.Described.RESULT_SET);
    }

    @Test
    void answersToTheProxysOwnDescribeAreMarkedHidden() {
        ExtendedQueryTracker tracker = new ExtendedQueryTracker();
        tracker.parse("S_1");
        tracker.describeHidden("S_1");
        tracker.describe(true, "S_1");
        tracker.parseComplete();
        assertThat(tracker.hiddenDescribeAtHead()).isTrue();
        assertThat(tracker.rowDescription(COLUMNS)).isEqualTo(ExtendedQueryTracker.Described.HIDDEN_ANSWER);
        assertThat(tracker.hiddenDescribeAtHead()).isFalse();
        assertThat(tracker.noData()).as("the client's own Describe is answered visibly").isFalse();
    }

    @Test
    void portalsEndWithTheTransaction() {
        ExtendedQueryTracker tracker = new ExtendedQueryTracker();
        tracker.describe(false, "cursor");
        tracker.rowDescription(COLUMNS);
        tracker.execute("cursor");
        assertThat(tracker.executeColumns()).isNotNull();
        tracker.executeEnded();
        tracker.synchronize(ExtendedQueryTracker.Kind.SYNC);
        tracker.readyForQuery('I');
        tracker.execute("cursor");
        assertThat(tracker.executeColumns()).isNull();
    }
}
