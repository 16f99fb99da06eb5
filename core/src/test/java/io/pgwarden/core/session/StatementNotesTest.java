package io.pgwarden.core.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgwarden.spi.Note;
import java.util.List;
import org.junit.jupiter.api.Test;

class StatementNotesTest {

    private static final Note ROUTE = new Note("router", "route", "replica");

    @Test
    void routeNoteComesFirstThenTheStatementsThenItsResultSetsInTheOrderNoted() {
        StatementNotes statement = new StatementNotes();
        statement.add(new Note("guard", "checked", "yes"));
        statement.add(new Note("router#2", "hint", "read"));
        StatementNotes resultSets = new StatementNotes();
        resultSets.add(new Note("masking", "masked", "email"));

        assertThat(StatementNotes.forCompletion(ROUTE, statement, resultSets)).containsExactly(ROUTE,
                new Note("guard", "checked", "yes"), new Note("router#2", "hint", "read"), new Note("masking", "masked", "email"));
    }

    @Test
    void noNotesAnywhereGiveAnEmptyListOrJustTheRoute() {
        assertThat(StatementNotes.forCompletion(null, null, null)).isEmpty();
        assertThat(StatementNotes.forCompletion(null, new StatementNotes(), new StatementNotes())).isEmpty();
        assertThat(StatementNotes.forCompletion(ROUTE, new StatementNotes(), null)).containsExactly(ROUTE);
    }

    @Test
    void theCompletionsListIsReadOnly() {
        StatementNotes statement = new StatementNotes();
        statement.add(new Note("guard", "checked", "yes"));
        List<Note> notes = StatementNotes.forCompletion(null, statement, null);
        assertThatThrownBy(() -> notes.add(ROUTE)).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void aStatementsNotesGoWithEachOfItsExecutions() {
        StatementNotes parse = new StatementNotes();
        parse.add(new Note("guard", "checked", "yes"));
        StatementNotes firstRows = new StatementNotes();
        firstRows.add(new Note("masking", "masked", "email"));

        assertThat(StatementNotes.forCompletion(null, parse, firstRows)).hasSize(2);
        assertThat(StatementNotes.forCompletion(null, parse, null)).containsExactly(new Note("guard", "checked", "yes"));
    }
}
