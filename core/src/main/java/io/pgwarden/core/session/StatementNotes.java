package io.pgwarden.core.session;

import io.pgwarden.spi.Note;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * What plugins noted about one statement (a Parse or a simple Query) or one result set, in the
 * order they noted it. The list is created at the first note, so a statement nobody notes costs
 * one small object.
 */
final class StatementNotes {

    private List<Note> notes;

    void add(Note note) {
        if (notes == null) {
            notes = new ArrayList<>(2);
        }
        notes.add(note);
    }

    boolean isEmpty() {
        return notes == null;
    }

    /**
     * The notes of a completed statement, in order: the proxy's route note, then what plugins noted
     * about the statement (at its Parse or Query), then about its result sets.
     *
     * @param route the route note of a routed session, or null
     * @param statement the statement's notes, or null
     * @param resultSets the notes about its result sets, or null
     * @return the notes, read-only
     */
    static List<Note> forCompletion(Note route, StatementNotes statement, StatementNotes resultSets) {
        boolean none = (statement == null || statement.isEmpty()) && (resultSets == null || resultSets.isEmpty());
        if (none) {
            return route == null ? List.of() : List.of(route);
        }
        List<Note> all = new ArrayList<>();
        if (route != null) {
            all.add(route);
        }
        if (statement != null && statement.notes != null) {
            all.addAll(statement.notes);
        }
        if (resultSets != null && resultSets.notes != null) {
            all.addAll(resultSets.notes);
        }
        return Collections.unmodifiableList(all);
    }
}
